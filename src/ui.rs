//! Shared page pieces: the lab frame with its URL notices, labelled controls and numeric read-outs.

use crate::export::{download_png, download_text};
use crate::url_state::{Choice, UrlNotice};
use leptos::html::Canvas;
use leptos::prelude::*;

/// Formats a number for read-outs: four significant digits, scientific notation outside [1e-3, 1e5).
pub fn format_number(value: f64) -> String {
    if value == 0.0 || !value.is_finite() {
        return format!("{value}");
    }
    let magnitude = value.abs();
    if (1e-3..1e5).contains(&magnitude) {
        let decimals = (3 - magnitude.log10().floor() as i32).clamp(0, 6) as usize;
        format!("{value:.decimals$}")
    } else {
        format!("{value:.3e}")
    }
}

/// The heading, notices and body shared by every lab page.
#[component]
pub fn LabFrame(
    /// The lab's title.
    title: &'static str,
    /// A paragraph under the title.
    description: &'static str,
    /// Parameters from the URL that were ignored.
    notices: Vec<UrlNotice>,
    /// The lab itself.
    children: Children,
) -> impl IntoView {
    view! {
        <article class="lab">
            <header class="lab-header">
                <div class="lab-title-row">
                    <h1>{title}</h1>
                    <crate::share::ShareDialog title/>
                </div>
                <p class="lede">{description}</p>
            </header>
            <Notices notices/>
            {children()}
        </article>
    }
}

/// A dismissible list of what was ignored in the URL; nothing when all was well.
#[component]
pub fn Notices(
    /// What was ignored.
    notices: Vec<UrlNotice>,
) -> impl IntoView {
    let open = RwSignal::new(!notices.is_empty());
    let items: Vec<_> = notices.iter().map(|n| view! { <li>{n.to_string()}</li> }).collect();
    view! {
        <Show when=move || open.get()>
            <aside class="notice" role="status" data-testid="url-notice">
                <strong>"Some of this link's settings could not be used."</strong>
                <ul>{items.clone()}</ul>
                <button type="button" class="link-button" on:click=move |_| open.set(false)>"Dismiss"</button>
            </aside>
        </Show>
    }
}

/// A labelled slider over a linear range; `describe` gives `aria-valuetext` and the visible value in domain terms.
#[component]
pub fn Slider(
    /// The visible label.
    label: &'static str,
    /// The query key, used as the input's id and test handle.
    key: &'static str,
    /// Smallest value.
    min: f64,
    /// Largest value.
    max: f64,
    /// Step between values.
    step: f64,
    /// The current value.
    #[prop(into)]
    value: Signal<f64>,
    /// Called with every new value while dragging.
    on_change: impl Fn(f64) + 'static,
    /// The value in words for screen readers, e.g. "temperature 0.5".
    describe: impl Fn(f64) -> String + Send + Sync + Copy + 'static,
    /// The value as shown next to the label; defaults to the number itself.
    #[prop(optional)]
    show: Option<fn(f64) -> String>,
) -> impl IntoView {
    let id = format!("control-{key}");
    let plain = move |v: f64| if step >= 1.0 { format!("{v:.0}") } else { format_number(v) };
    let shown = move |v: f64| show.map_or_else(|| plain(v), |show| show(v));
    view! {
        <div class="control">
            <label for=id.clone()>{label}<output>{move || shown(value.get())}</output></label>
            <input
                id=id
                type="range"
                data-key=key
                min=min
                max=max
                step=step
                prop:value=move || value.get()
                aria-valuetext=move || describe(value.get())
                on:input=move |ev| {
                    if let Ok(v) = event_target_value(&ev).parse::<f64>() {
                        on_change(v);
                    }
                }
            />
        </div>
    }
}

/// A slider over a log-scaled range (e.g. temperature 0.01 to 100): the thumb moves in log10 units.
#[component]
pub fn LogSlider(
    /// The visible label.
    label: &'static str,
    /// The query key.
    key: &'static str,
    /// Smallest value (> 0).
    min: f64,
    /// Largest value.
    max: f64,
    /// The current value.
    #[prop(into)]
    value: Signal<f64>,
    /// Called with every new value while dragging.
    on_change: impl Fn(f64) + 'static,
    /// The value in words.
    describe: impl Fn(f64) -> String + Send + Sync + Copy + 'static,
    /// Round to whole numbers (counts).
    #[prop(optional)]
    whole: bool,
) -> impl IntoView {
    let position = Signal::derive(move || value.get().log10());
    let snap = move |p: f64| {
        let v = round_to_significant(10f64.powf(p), 3);
        if whole {
            v.round()
        } else {
            v
        }
    };
    let show: fn(f64) -> String = if whole {
        |p| format!("{:.0}", round_to_significant(10f64.powf(p), 3).round())
    } else {
        |p| format_number(round_to_significant(10f64.powf(p), 3))
    };
    view! {
        <Slider
            label
            key
            min=min.log10()
            max=max.log10()
            step=0.001
            value=position
            on_change=move |p| on_change(snap(p))
            describe=move |p| describe(snap(p))
            show=show
        />
    }
}

/// Rounds to `digits` significant digits, so log-slider values stay short in URLs.
pub fn round_to_significant(value: f64, digits: i32) -> f64 {
    if value == 0.0 || !value.is_finite() {
        return value;
    }
    let scale = 10f64.powi(digits - 1 - value.abs().log10().floor() as i32);
    (value * scale).round() / scale
}

/// A labelled drop-down over the variants of a [`Choice`].
#[component]
pub fn ChoiceSelect<C: Choice + Send + Sync>(
    /// The visible label.
    label: &'static str,
    /// The query key.
    key: &'static str,
    /// The current choice.
    #[prop(into)]
    value: Signal<C>,
    /// Called with the new choice.
    on_change: impl Fn(C) + 'static,
) -> impl IntoView {
    let id = format!("control-{key}");
    let options = C::ALL
        .iter()
        .map(|&c| view! { <option value=c.slug() selected=move || value.get() == c>{c.label()}</option> })
        .collect::<Vec<_>>();
    view! {
        <div class="control">
            <label for=id.clone()>{label}</label>
            <select
                id=id
                data-key=key
                on:change=move |ev| {
                    let slug = event_target_value(&ev);
                    if let Some(&c) = C::ALL.iter().find(|c| c.slug() == slug) {
                        on_change(c);
                    }
                }
            >
                {options}
            </select>
        </div>
    }
}

/// A whole-number input for seeds; anything that is not a whole number is refused next to the field.
#[component]
pub fn SeedInput(
    /// The current seed.
    #[prop(into)]
    value: Signal<u64>,
    /// Called with a new valid seed.
    on_change: impl Fn(u64) + 'static,
) -> impl IntoView {
    let error = RwSignal::new(None::<String>);
    let on_text = move |text: String| match text.trim().parse::<u64>() {
        Ok(seed) => {
            error.set(None);
            on_change(seed);
        }
        Err(_) => error.set(Some("A seed is a whole number from 0 to 18446744073709551615.".into())),
    };
    view! {
        <div class="control">
            <label for="control-seed">"Seed"</label>
            <div class="seed-row">
                <input
                    id="control-seed"
                    data-key="seed"
                    type="text"
                    inputmode="numeric"
                    prop:value=move || value.get().to_string()
                    aria-invalid=move || error.get().is_some().to_string()
                    on:change=move |ev| on_text(event_target_value(&ev))
                />
            </div>
            <Show when=move || error.get().is_some()>
                <p class="field-error" role="alert">{move || error.get()}</p>
            </Show>
        </div>
    }
}

/// A named number, e.g. "entropy 1.234 nats".
#[component]
pub fn Readout(
    /// What the number is.
    label: &'static str,
    /// The number, formatted.
    #[prop(into)]
    value: Signal<String>,
) -> impl IntoView {
    view! {
        <div class="readout">
            <span class="readout-label">{label}</span>
            <span class="readout-value">{move || value.get()}</span>
        </div>
    }
}

/// A small "PNG" button that downloads a figure's canvas at the device pixel ratio.
#[component]
pub fn PngButton(
    /// The figure's canvas.
    canvas: NodeRef<Canvas>,
    /// The downloaded file's name.
    file_name: &'static str,
) -> impl IntoView {
    let error = RwSignal::new(None::<String>);
    view! {
        <button
            type="button"
            class="link-button"
            data-testid=format!("png-{file_name}")
            on:click=move |_| {
                if let Some(c) = canvas.get_untracked() {
                    error.set(download_png(&c, file_name).err().map(|e| e.0));
                }
            }
        >
            "PNG"
        </button>
        <Show when=move || error.get().is_some()>
            <span class="field-error" role="alert">{move || error.get()}</span>
        </Show>
    }
}

/// A button that downloads text produced on demand (CSV, JSON).
#[component]
pub fn TextDownload(
    /// The button's text.
    label: &'static str,
    /// The downloaded file's name.
    file_name: &'static str,
    /// Its MIME type.
    mime: &'static str,
    /// Produces the file's contents.
    contents: impl Fn() -> String + 'static,
) -> impl IntoView {
    let error = RwSignal::new(None::<String>);
    view! {
        <button
            type="button"
            class="button secondary"
            data-testid=format!("download-{file_name}")
            on:click=move |_| error.set(download_text(&contents(), file_name, mime).err().map(|e| e.0))
        >
            {label}
        </button>
        <Show when=move || error.get().is_some()>
            <span class="field-error" role="alert">{move || error.get()}</span>
        </Show>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_read_well_at_every_scale() {
        assert_eq!(format_number(0.0), "0");
        assert_eq!(format_number(1.0), "1.000");
        assert_eq!(format_number(0.832396), "0.8324");
        assert_eq!(format_number(123.456), "123.5");
        assert_eq!(format_number(1.5e-7), "1.500e-7");
        assert_eq!(format_number(f64::INFINITY), "inf");
    }

    #[test]
    fn significant_rounding_keeps_three_digits() {
        assert_eq!(round_to_significant(0.012345, 3), 0.0123);
        assert_eq!(round_to_significant(98765.0, 3), 98800.0);
        assert_eq!(round_to_significant(1.0, 3), 1.0);
    }
}
