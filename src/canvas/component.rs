//! `Canvas2d`: a canvas sized in device pixels that redraws when its signals, its laid-out width or the colour
//! scheme change.

use super::charts::ChartTheme;
use leptos::html::Canvas;
use leptos::prelude::*;
use wasm_bindgen::closure::Closure;
use wasm_bindgen::JsCast;
use web_sys::{CanvasRenderingContext2d, HtmlCanvasElement, ResizeObserver};

thread_local! {
    // Reference-counted, not owned by whichever reactive scope happens to read it first.
    static DARK: ArcRwSignal<bool> = dark_signal();
}

/// The page's colour scheme as a signal: a forced `data-theme` (set once at start from `?theme=`) wins, otherwise
/// it follows the reader's preference, live.
fn dark_signal() -> ArcRwSignal<bool> {
    let forced = document().document_element().and_then(|root| root.get_attribute("data-theme"));
    let query = window().match_media("(prefers-color-scheme: dark)").ok().flatten();
    let dark = ArcRwSignal::new(match forced.as_deref() {
        Some("dark") => true,
        Some("light") => false,
        _ => query.as_ref().is_some_and(web_sys::MediaQueryList::matches),
    });
    if let (None, Some(query)) = (forced, query) {
        let follow_dark = dark.clone();
        let follow =
            Closure::<dyn Fn(web_sys::MediaQueryListEvent)>::new(move |event: web_sys::MediaQueryListEvent| {
                follow_dark.set(event.matches());
            });
        query.set_onchange(Some(follow.as_ref().unchecked_ref()));
        // The listener lives as long as the page, like the signal it feeds.
        follow.forget();
    }
    dark
}

/// Whether the page currently shows its dark colour scheme (tracked: a reader switching schemes redraws figures).
fn prefers_dark() -> bool {
    DARK.with(|dark| dark.get())
}

fn context_2d(canvas: &HtmlCanvasElement) -> Option<CanvasRenderingContext2d> {
    canvas.get_context("2d").ok().flatten()?.dyn_into().ok()
}

/// A hi-DPI canvas: its backing store follows the CSS width × `height_px` at the device pixel ratio, so text and
/// lines stay sharp on every screen. `draw` runs in an effect, so every signal it reads triggers a redraw.
///
/// The width is taken from a `ResizeObserver`, not read before each draw: reading layout right after the labs
/// change their text would force the browser to lay the page out again, once per figure and slider step.
#[component]
pub fn Canvas2d<F>(
    /// What the figure shows, for screen readers.
    #[prop(into)]
    label: String,
    /// Height in CSS pixels; the width follows the layout.
    height_px: u32,
    /// Draws the figure onto the canvas, which is blank when it is called.
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
    // CSS width as last laid out; `None` until the canvas is mounted.
    let css_width = RwSignal::new(None::<i32>);
    // A new device pixel ratio (zoom, another screen) comes with a window resize.
    let resized = RwSignal::new(0u32);
    let listener = window_event_listener(leptos::ev::resize, move |_| resized.update(|n| *n += 1));
    let observer = StoredValue::new_local(None::<(ResizeObserver, Closure<dyn Fn()>)>);
    on_cleanup(move || {
        listener.remove();
        observer.try_with_value(|o| o.as_ref().map(|(observer, _)| observer.disconnect()));
    });
    canvas.on_load(move |element| {
        css_width.set(Some(element.client_width()));
        let observed = element.clone();
        // Observations arrive after layout, so reading the width there costs no extra layout.
        let changed = Closure::<dyn Fn()>::new(move || {
            let width = observed.client_width();
            if css_width.try_get_untracked().flatten() != Some(width) {
                css_width.try_set(Some(width));
            }
        });
        if let Ok(watch) = ResizeObserver::new(changed.as_ref().unchecked_ref()) {
            watch.observe(&element);
            observer.set_value(Some((watch, changed)));
        }
    });
    Effect::new(move |_| {
        resized.track();
        let (Some(element), Some(css_width)) = (canvas.get_untracked(), css_width.get()) else { return };
        let scale = window().device_pixel_ratio().max(1.0);
        let css_width = f64::from(css_width.max(1));
        let width = (css_width * scale).round() as u32;
        let height = (aspect.map_or(f64::from(height_px), |a| css_width * a) * scale).round() as u32;
        // Resizing the backing store clears it too, but reallocates it: only when the size did change.
        if (element.width(), element.height()) == (width, height) {
            if let Some(context) = context_2d(&element) {
                context.clear_rect(0.0, 0.0, f64::from(width), f64::from(height));
            }
        } else {
            element.set_width(width);
            element.set_height(height);
        }
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
