//! The front end: tokens ([`lexer`]), the LR grammar (`grammar.lalrpop`) and the AST ([`ast`]).

pub mod ast;
pub mod fstring;
pub mod lexer;
pub mod namespaces;
pub mod parser;
