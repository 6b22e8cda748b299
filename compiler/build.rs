// Generates the parser from src/syntax/grammar.lalrpop at build time.
fn main() {
    lalrpop::process_src().expect("grammar.lalrpop must build");
}
