//! The browser boundary of drawing: plotters onto a `<canvas>`, and raw RGBA pixels through one `put_image_data`.

use super::charts::{
    bar_plot_area, tallest_per_column, ChartResult, ChartTheme, MARKER_DASH_PX, MARKER_OPACITY, PALETTE,
};
use plotters::coord::Shift;
use plotters::prelude::*;
use plotters_canvas::CanvasBackend;
use wasm_bindgen::{Clamped, JsCast, JsValue};
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

/// Plots a chart that changes less often than the marks drawn over it: `draw` runs on an off-screen canvas only
/// when `key` or the canvas size differ from the cached ones, and the cached picture is copied onto `canvas`.
/// Plotters lays out text through the page's DOM, so redrawing axes on every slider step forces a layout each.
pub fn plot_cached<K: PartialEq + Clone>(
    canvas: &HtmlCanvasElement,
    cache: &mut Option<(K, HtmlCanvasElement)>,
    key: &K,
    draw: impl FnOnce(&DrawingArea<CanvasBackend, Shift>) -> ChartResult<CanvasBackend>,
) {
    let (w, h) = (canvas.width(), canvas.height());
    if !matches!(cache, Some((k, c)) if k == key && (c.width(), c.height()) == (w, h)) {
        let offscreen = match cache.take() {
            Some((_, c)) => Some(c),
            None => web_sys::window()
                .and_then(|w| w.document())
                .and_then(|d| d.create_element("canvas").ok())
                .and_then(|e| e.dyn_into().ok()),
        };
        let Some(offscreen) = offscreen else { return report("could not create an off-screen canvas") };
        // Setting the size clears the picture even when it stays the same.
        offscreen.set_width(w);
        offscreen.set_height(h);
        plot(&offscreen, draw);
        *cache = Some((key.clone(), offscreen));
    }
    if let (Some((_, picture)), Some(context)) = (cache.as_ref(), context_2d(canvas)) {
        let _ = context.draw_image_with_html_canvas_element(picture, 0.0, 0.0);
    }
}

/// A dashed vertical rule at `x` from `top` to `bottom` (device pixels), styled like [`super::charts::line_chart`]'s
/// marker.
pub fn dashed_rule(canvas: &HtmlCanvasElement, x: f64, top: f64, bottom: f64, theme: &ChartTheme) {
    let Some(context) = context_2d(canvas) else { return };
    let RGBColor(r, g, b) = theme.ink();
    let [dash, gap] = MARKER_DASH_PX.map(|px| JsValue::from((px * theme.scale).round()));
    let _ = context.set_line_dash(&js_sys::Array::of2(&dash, &gap));
    context.set_stroke_style_str(&format!("rgba({r},{g},{b},{MARKER_OPACITY})"));
    context.set_line_width(theme.scale.round());
    context.begin_path();
    context.move_to(x, top);
    context.line_to(x, bottom);
    context.stroke();
    let _ = context.set_line_dash(&js_sys::Array::new());
}

fn context_2d(canvas: &HtmlCanvasElement) -> Option<CanvasRenderingContext2d> {
    canvas.get_context("2d").ok().flatten()?.dyn_into().ok()
}

/// Draws a `cols` × `rows` RGBA image over the whole canvas: straight into it when the sizes agree (the heatmaps
/// rasterise at the canvas' own resolution), else stretched without smoothing, so every cell stays a crisp
/// rectangle. The pixels cross into JavaScript once, through a single `put_image_data`.
pub fn put_rgba(canvas: &HtmlCanvasElement, rgba: &[u8], cols: u32, rows: u32) {
    let drawn = (|| {
        let image = ImageData::new_with_u8_clamped_array_and_sh(Clamped(rgba), cols, rows).ok()?;
        let target = context_2d(canvas)?;
        let (w, h) = (canvas.width(), canvas.height());
        if (cols, rows) == (w, h) {
            return target.put_image_data(&image, 0.0, 0.0).ok();
        }
        let scratch: HtmlCanvasElement =
            web_sys::window()?.document()?.create_element("canvas").ok()?.dyn_into().ok()?;
        scratch.set_width(cols);
        scratch.set_height(rows);
        context_2d(&scratch)?.put_image_data(&image, 0.0, 0.0).ok()?;
        target.set_image_smoothing_enabled(false);
        target.draw_image_with_html_canvas_element_and_dw_and_dh(&scratch, 0.0, 0.0, f64::from(w), f64::from(h)).ok()
    })();
    if drawn.is_none() {
        report("could not draw a heatmap");
    }
}

/// Bars from 0 to each value over `0..top` in the plotting rectangle of a compact [`super::charts::bar_chart`],
/// drawn straight through the canvas API: the attention lab redraws hundreds of bars per figure on every slider
/// step, and plotters spends most of that on a colour string and a path per bar. More bars than pixel columns
/// are drawn one column each, as tall as the tallest of its bars. Non-finite values are left out.
pub fn compact_bars(canvas: &HtmlCanvasElement, values: &[f32], top: f64, theme: &ChartTheme) {
    let Some(context) = context_2d(canvas) else {
        return report("no 2-D context for a bar strip");
    };
    let (left, upper, right, bottom) = bar_plot_area(f64::from(canvas.width()), f64::from(canvas.height()), theme);
    let values = tallest_per_column(values, (right - left).floor().max(1.0) as usize);
    let (bar, height) = ((right - left) / values.len().max(1) as f64, bottom - upper);
    // As in the plotters chart: a gap between bars until they get too thin to show one.
    let gap = if values.len() > 200 { 0.0 } else { 0.12 * bar };
    let RGBColor(r, g, b) = PALETTE[0];
    context.set_fill_style_str(&format!("rgb({r},{g},{b})"));
    for (i, &v) in values.iter().enumerate().filter(|(_, v)| v.is_finite()) {
        let h = (f64::from(v) / top).clamp(0.0, 1.0) * height;
        context.fill_rect(left + i as f64 * bar + gap, bottom - h, bar - 2.0 * gap, h);
    }
}

fn report(message: &str) {
    web_sys::console::warn_1(&message.into());
}
