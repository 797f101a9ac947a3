//! Softscope's numeric kernels: pure Rust, no web dependencies, a scalar reference twin beside every SIMD128 kernel.
//!
//! Every kernel takes slices and writes into caller-owned buffers. User-reachable bad input (empty slices,
//! mismatched lengths) is answered with a [`KernelError`], never a panic. On `wasm32` with the `simd128` target
//! feature the public entry points dispatch to the SIMD128 kernel; elsewhere they run the scalar twin, which gives
//! bit-identical results, so native tests speak for both.

pub mod alternatives;
pub mod attention;
pub mod error;
pub mod exp;
pub mod gemm;
pub mod grok;
pub mod nms;
pub mod precision;
pub mod raster;
pub mod rng;
pub mod softmax;

pub use error::KernelError;
