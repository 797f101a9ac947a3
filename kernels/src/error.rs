//! Typed errors for user-reachable bad input to the kernels.

use core::fmt;

/// Why a kernel refused its input. Kernels never panic on user input; they return one of these instead.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KernelError {
    /// The input slice was empty where at least one element is needed.
    Empty,
    /// Input and output slices differ in length.
    LengthMismatch {
        /// Length of the input slice.
        input: usize,
        /// Length of the output slice.
        output: usize,
    },
    /// A matrix of `len` elements cannot have `cols` columns.
    Shape {
        /// Number of elements.
        len: usize,
        /// Requested number of columns.
        cols: usize,
    },
}

impl fmt::Display for KernelError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Empty => write!(f, "the input is empty"),
            Self::LengthMismatch { input, output } => {
                write!(f, "input has {input} elements but the output has room for {output}")
            }
            Self::Shape { len, cols } => write!(f, "{len} elements do not form rows of {cols} columns"),
        }
    }
}

impl std::error::Error for KernelError {}

/// Checks the shape shared by every element-wise kernel: a non-empty input and an output of the same length.
pub(crate) fn check_elementwise(input: &[f32], output: &[f32]) -> Result<(), KernelError> {
    if input.is_empty() {
        return Err(KernelError::Empty);
    }
    if input.len() != output.len() {
        return Err(KernelError::LengthMismatch { input: input.len(), output: output.len() });
    }
    Ok(())
}
