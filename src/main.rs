//! The app's entry point: everything lives in the library so that it can be tested natively.

fn main() {
    softscope::start();
}
