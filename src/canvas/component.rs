//! `Canvas2d`: a canvas sized in device pixels that redraws when its signals or the window size change.

use super::charts::ChartTheme;
use leptos::html::Canvas;
use leptos::prelude::*;
use web_sys::HtmlCanvasElement;

/// Whether the page currently shows its dark colour scheme.
pub fn prefers_dark() -> bool {
    let forced = document().document_element().and_then(|root| root.get_attribute("data-theme"));
    match forced.as_deref() {
        Some("dark") => true,
        Some("light") => false,
        _ => window().match_media("(prefers-color-scheme: dark)").ok().flatten().is_some_and(|query| query.matches()),
    }
}

/// A hi-DPI canvas: its backing store follows the CSS width × `height_px` at the device pixel ratio, so text and
/// lines stay sharp on every screen. `draw` runs in an effect, so every signal it reads triggers a redraw.
#[component]
pub fn Canvas2d<F>(
    /// What the figure shows, for screen readers.
    #[prop(into)]
    label: String,
    /// Height in CSS pixels; the width follows the layout.
    height_px: u32,
    /// Draws the figure onto the canvas.
    draw: F,
    /// A name for tests and styles.
    #[prop(optional, into)]
    name: String,
    /// Draw as a thumbnail: data only, no axes or legend.
    #[prop(optional)]
    compact: bool,
) -> impl IntoView
where
    F: Fn(&HtmlCanvasElement, ChartTheme) + 'static,
{
    let canvas = NodeRef::<Canvas>::new();
    let resized = RwSignal::new(0u32);
    let listener = window_event_listener(leptos::ev::resize, move |_| resized.update(|n| *n += 1));
    on_cleanup(move || listener.remove());
    Effect::new(move |_| {
        resized.track();
        let Some(element) = canvas.get() else { return };
        let scale = window().device_pixel_ratio().max(1.0);
        let css_width = f64::from(element.client_width().max(1));
        element.set_width((css_width * scale).round() as u32);
        element.set_height((f64::from(height_px) * scale).round() as u32);
        draw(&element, ChartTheme { scale, dark: prefers_dark(), compact });
    });
    view! {
        <canvas
            node_ref=canvas
            class="figure-canvas"
            role="img"
            aria-label=label
            data-figure=name
            style=format!("height:{height_px}px")
        ></canvas>
    }
}
