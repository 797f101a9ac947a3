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
    /// Height as a fraction of the width (e.g. a scene's aspect ratio); overrides `height_px` once laid out.
    #[prop(optional)]
    aspect: Option<f64>,
    /// Access to the element, for exports and pointer interaction.
    #[prop(optional)]
    node_ref: Option<NodeRef<Canvas>>,
) -> impl IntoView
where
    F: Fn(&HtmlCanvasElement, ChartTheme) + 'static,
{
    let canvas = node_ref.unwrap_or_default();
    let resized = RwSignal::new(0u32);
    let listener = window_event_listener(leptos::ev::resize, move |_| resized.update(|n| *n += 1));
    on_cleanup(move || listener.remove());
    Effect::new(move |_| {
        resized.track();
        let Some(element) = canvas.get() else { return };
        let scale = window().device_pixel_ratio().max(1.0);
        let css_width = f64::from(element.client_width().max(1));
        element.set_width((css_width * scale).round() as u32);
        let css_height = aspect.map_or(f64::from(height_px), |a| css_width * a);
        element.set_height((css_height * scale).round() as u32);
        draw(&element, ChartTheme { scale, dark: prefers_dark(), compact });
    });
    view! {
        <canvas
            node_ref=canvas
            class="figure-canvas"
            role="img"
            aria-label=label
            data-figure=name
            style=aspect.map_or_else(|| format!("height:{height_px}px"), |a| format!("aspect-ratio:{}", 1.0 / a))
        ></canvas>
    }
}
