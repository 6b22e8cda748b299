//! Nothing: the checks are in tests/tract.rs.
