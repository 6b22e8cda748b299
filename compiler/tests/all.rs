//! The compiler's integration tests, one module per file, linked into one test binary: a
//! binary per file linked the whole compiler into each, which took most of CI's
//! time and more disk than CI had. Only `fuzz.rs`, whose panic hook would hide other tests'
//! panic messages, is a binary of its own (see Cargo.toml).
//! Run one file's tests with `cargo test --test all FILE::`.

mod common;
mod fd;

mod activation_boundaries;
mod adaptive_max_pool;
mod add_products;
mod addc;
mod addmm;
mod aminmax;
mod angles;
mod attention_modules;
mod avg_pool;
mod batch_norm;
mod branch_grads;
mod chained_comparisons;
mod clamp_tensor;
mod classes;
mod composite_losses;
mod comprehensions;
mod conditional_appends;
mod conditional_exprs;
mod conditions;
mod conv;
mod copysign;
mod cosine_similarity;
mod counter_subscripts;
mod cummax;
mod cumprod;
mod data_loaders;
mod dataset_classes;
mod diagonals;
mod dicts;
mod distances;
mod double_backward;
mod dropout;
mod dropouts;
mod dtype_promotion;
mod early_returns;
mod einsum;
mod empty_tuple;
mod entr_isin_ldexp;
mod equal_tuple;
mod filetests;
mod float_tests;
mod fold_unfold;
mod fstrings;
mod function_values;
mod functional_modules;
mod fusion_verify;
mod gamma;
mod generators;
mod globals;
mod glu;
mod grad_fn_values;
mod gradient_clipping;
mod gradients;
mod gradients_activation;
mod gradients_elementwise;
mod gradients_loss_options;
mod gradients_more_builtins;
mod grid_sample;
mod group_norm;
mod hard_activations;
mod higher_order;
mod hoist;
mod host_values;
mod hypot_heaviside;
mod index_add_alpha;
mod index_gradients;
mod index_put;
mod index_put_multi;
mod inplace;
mod inplace_elementwise;
mod instance_norm;
mod integration_covariance;
mod interpolate_linear;
mod ir_text;
mod jumps;
mod kl_div;
mod known_masks;
mod kron;
mod lambdas;
mod layer_norm;
mod layers;
mod lerp;
mod linalg_norm;
mod log_sigmoid;
mod logaddexp;
mod logcumsumexp;
mod logit;
mod loop_grads;
mod loops;
mod lp_pool;
mod mask_copy;
mod mask_index;
mod matrix_aliases;
mod median;
mod membership;
mod meshgrid;
mod multi_output;
mod multinomial;
mod nan_reductions;
mod ndtr;
mod nested_fns;
mod new_tensors;
mod nn_composites;
mod nn_init;
mod no_grad_decorator;
mod no_panic;
mod numpy_shapes;
mod op_table;
mod optimizer_checks;
mod ordered_dict;
mod pad;
mod param_groups;
mod partials;
mod peak;
mod percent_format;
mod pow;
mod prelu;
mod published_idioms;
mod pytorch_spellings;
mod random_fill;
mod range;
mod rearrange;
mod reduce_gradients;
mod reference;
mod remainders;
mod repeat_cross_tensordot;
mod resample;
mod retain_grad;
mod rms_norm;
mod rnn_modules;
mod roll;
mod runtime_indices;
mod scaling;
mod scatter_bounds;
mod scatter_reduce_gradients;
mod scatter_reduce_reference;
mod schedulers;
mod sdpa;
mod searchsorted;
mod shape_grad_fns;
mod shape_gradients;
mod shrink;
mod sinc;
mod small_elementwise;
mod softmax_gradients;
mod sorting;
mod str_concat;
mod str_methods;
mod subscripts;
mod syntax;
mod syntax_errors;
mod syntax_suggestions;
mod take;
mod transformer_modules;
mod tuples;
mod unbind;
mod user_calls;
mod vector_products;
mod views_write_through;
mod xlogy;

/// With `autotests = false`, a file in `tests/` that is neither named above nor a
/// `[[test]]` of its own in Cargo.toml would compile into nothing and its tests
/// would silently never run.
#[test]
fn every_test_file_is_a_module_here() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests");
    let listed = include_str!("all.rs");
    let manifest = include_str!("../Cargo.toml");
    let mut missing = Vec::new();
    for entry in std::fs::read_dir(&dir).expect("the tests directory lists") {
        let name = entry.expect("a directory entry").file_name().to_string_lossy().into_owned();
        let Some(stem) = name.strip_suffix(".rs") else { continue };
        let own_binary = manifest.contains(&format!("path = \"tests/{name}\""));
        if name != "all.rs" && !own_binary && !listed.contains(&format!("\nmod {stem};\n")) {
            missing.push(name);
        }
    }
    assert!(missing.is_empty(), "add `mod NAME;` to tests/all.rs for {missing:?}");
}
