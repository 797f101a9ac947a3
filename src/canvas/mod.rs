//! Drawing: pure colormaps and rasterisers, plotters charts generic over the backend, and the browser boundary
//! (`Canvas2d`, one `put_image_data`).

pub mod blit;
pub mod charts;
pub mod colormap;
pub mod component;

pub use component::Canvas2d;
