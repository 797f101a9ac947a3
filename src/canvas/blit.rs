//! The browser boundary of drawing: plotters onto a `<canvas>`, and raw RGBA pixels through one `put_image_data`.

use super::charts::ChartResult;
use plotters::coord::Shift;
use plotters::prelude::*;
use plotters_canvas::CanvasBackend;
use wasm_bindgen::{Clamped, JsCast};
use web_sys::{CanvasRenderingContext2d, HtmlCanvasElement, ImageData};

/// Runs a chart function on `canvas`; a failure is reported in the console once rather than breaking the page.
pub fn plot(
    canvas: &HtmlCanvasElement,
    draw: impl FnOnce(&DrawingArea<CanvasBackend, Shift>) -> ChartResult<CanvasBackend>,
) {
    let Some(backend) = CanvasBackend::with_canvas_object(canvas.clone()) else {
        return report("no 2-D context for a chart canvas");
    };
    let root = backend.into_drawing_area();
    if let Err(error) = draw(&root).and_then(|()| root.present()) {
        report(&format!("chart drawing failed: {error}"));
    }
}

fn context_2d(canvas: &HtmlCanvasElement) -> Option<CanvasRenderingContext2d> {
    canvas.get_context("2d").ok().flatten()?.dyn_into().ok()
}

/// Draws a `cols` × `rows` RGBA image stretched over the whole canvas, without smoothing, so every cell stays a
/// crisp rectangle. The pixels cross into JavaScript once, through a single `put_image_data` on a scratch canvas.
pub fn put_rgba(canvas: &HtmlCanvasElement, rgba: &[u8], cols: u32, rows: u32) {
    let drawn = (|| {
        let image = ImageData::new_with_u8_clamped_array_and_sh(Clamped(rgba), cols, rows).ok()?;
        let scratch: HtmlCanvasElement =
            web_sys::window()?.document()?.create_element("canvas").ok()?.dyn_into().ok()?;
        scratch.set_width(cols);
        scratch.set_height(rows);
        context_2d(&scratch)?.put_image_data(&image, 0.0, 0.0).ok()?;
        let target = context_2d(canvas)?;
        target.set_image_smoothing_enabled(false);
        let (w, h) = (f64::from(canvas.width()), f64::from(canvas.height()));
        target.draw_image_with_html_canvas_element_and_dw_and_dh(&scratch, 0.0, 0.0, w, h).ok()
    })();
    if drawn.is_none() {
        report("could not draw a heatmap");
    }
}

fn report(message: &str) {
    web_sys::console::warn_1(&message.into());
}
