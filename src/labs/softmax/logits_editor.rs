//! The logits figure: drag a bar (or use the keyboard) to change a logit, or paste a list; the probabilities below.

use super::model::{parse_logits, Distribution, LogitList, SoftmaxParams, BAR_LIMIT, URL_LOGIT_LIMIT};
use crate::canvas::blit::plot;
use crate::canvas::charts::{bar_chart, bar_plot_area, ChartTheme};
use crate::canvas::Canvas2d;
use crate::ui::PngButton;
use leptos::html::Canvas;
use leptos::prelude::*;
use softscope_kernels::raster::histogram;
use web_sys::{KeyboardEvent, PointerEvent};

/// The symmetric value range of the logits chart: the largest |logit| with headroom.
fn range_of(logits: &[f32]) -> f64 {
    let top = logits.iter().fold(0.0f32, |m, v| m.max(v.abs()));
    (f64::from(top) * 1.25).max(1.0)
}

/// The logits editor and the probabilities it produces.
#[component]
pub fn LogitsEditor(
    state: RwSignal<SoftmaxParams>,
    logits: Memo<Vec<f32>>,
    distribution: Memo<Option<Distribution>>,
) -> impl IntoView {
    let logits_canvas = NodeRef::<Canvas>::new();
    let probabilities_canvas = NodeRef::<Canvas>::new();
    let message = RwSignal::new(None::<String>);
    let selected = RwSignal::new(None::<usize>);
    // The range is frozen while dragging so the bar follows the pointer.
    let drag = StoredValue::new(None::<(usize, f64)>);
    let editable = move || logits.with(|x| x.len() <= URL_LOGIT_LIMIT);

    let set_logit = move |index: usize, value: f64| {
        let mut values = logits.get_untracked();
        if index >= values.len() {
            return;
        }
        values[index] = ((value * 100.0).round() / 100.0) as f32;
        state.update(|p| p.logits = LogitList(values));
    };
    let pointer_to = move |ev: &PointerEvent, range: f64| -> Option<(usize, f64)> {
        let canvas = logits_canvas.get_untracked()?;
        let (w, h) = (f64::from(canvas.client_width()), f64::from(canvas.client_height()));
        let theme = ChartTheme { scale: 1.0, dark: false, compact: false };
        let (left, top, right, bottom) = bar_plot_area(w, h, &theme);
        let n = logits.with_untracked(Vec::len);
        let x = (f64::from(ev.offset_x()) - left) / (right - left);
        let index = (x * n as f64).floor().clamp(0.0, n as f64 - 1.0) as usize;
        let y = (f64::from(ev.offset_y()) - top) / (bottom - top);
        Some((index, range - y.clamp(0.0, 1.0) * 2.0 * range))
    };
    let on_down = move |ev: PointerEvent| {
        if !editable() {
            message.set(Some(format!("Bars can be dragged for up to {URL_LOGIT_LIMIT} logits; lower n to edit them.")));
            return;
        }
        let range = logits.with_untracked(|x| range_of(x));
        if let Some((index, value)) = pointer_to(&ev, range) {
            drag.set_value(Some((index, range)));
            selected.set(Some(index));
            set_logit(index, value);
            if let Some(c) = logits_canvas.get_untracked() {
                let _ = c.set_pointer_capture(ev.pointer_id());
            }
            ev.prevent_default();
        }
    };
    let on_move = move |ev: PointerEvent| {
        if let Some((index, range)) = drag.get_value() {
            if let Some((_, value)) = pointer_to(&ev, range) {
                set_logit(index, value);
            }
        }
    };
    let on_up = move |_: PointerEvent| drag.set_value(None);
    let on_key = move |ev: KeyboardEvent| {
        let n = logits.with_untracked(Vec::len);
        if n == 0 || !editable() {
            return;
        }
        let current = selected.get_untracked().unwrap_or(0).min(n - 1);
        let step = if ev.shift_key() { 1.0 } else { 0.1 };
        let value = f64::from(logits.with_untracked(|x| x[current]));
        match ev.key().as_str() {
            "ArrowLeft" => selected.set(Some(current.saturating_sub(1))),
            "ArrowRight" => selected.set(Some((current + 1).min(n - 1))),
            "ArrowUp" => set_logit(current, value + step),
            "ArrowDown" => set_logit(current, value - step),
            _ => return,
        }
        ev.prevent_default();
    };
    let pasted = RwSignal::new(String::new());
    let apply = move || match parse_logits(&pasted.get_untracked()) {
        Ok(values) if values.is_empty() => message.set(Some("Paste at least two numbers.".into())),
        Ok(values) => {
            message.set(None);
            state.update(|p| p.logits = LogitList(values));
        }
        Err(e) => message.set(Some(format!("Could not use the list: {e}."))),
    };

    view! {
        <div class="panel-head">
            <h2>"Logits x"</h2>
            <PngButton canvas=logits_canvas file_name="logits.png"/>
        </div>
        <div
            class="logits-editor"
            tabindex="0"
            role="application"
            aria-label="Logits. Drag a bar up or down to change it; with the keyboard, left and right choose a logit, up and down change it by 0.1 (Shift: 1)."
            on:pointerdown=on_down
            on:pointermove=on_move
            on:pointerup=on_up
            on:pointercancel=on_up
            on:keydown=on_key
        >
            <Canvas2d
                name="softmax-logits"
                label="Bar chart of the logits; drag a bar to change it."
                height_px=190
                node_ref=logits_canvas
                draw=move |c, theme| logits.with(|x| {
                    if x.len() <= BAR_LIMIT {
                        let r = range_of(x);
                        plot(c, |area| bar_chart(area, x, -r..r, "logit", selected.get(), &theme));
                    } else {
                        let lo = x.iter().copied().fold(f32::INFINITY, f32::min);
                        let hi = x.iter().copied().fold(f32::NEG_INFINITY, f32::max);
                        let counts = histogram(x, 60, lo, hi.max(lo + 1e-3));
                        let top = f64::from(counts.iter().copied().fold(1.0, f32::max));
                        plot(c, |area| bar_chart(area, &counts, 0.0..top * 1.05, "logits per bin", None, &theme));
                    }
                })
            />
        </div>
        <p class="hint" aria-live="polite">
            {move || selected.get().and_then(|i| logits.with(|x| x.get(i).map(|v| format!("logit {i} = {v}"))))}
        </p>
        <Show when=move || message.get().is_some()>
            <p class="notice" role="status" data-testid="logits-message">{move || message.get()}</p>
        </Show>
        <details class="paste">
            <summary>"Type or paste logits"</summary>
            <label for="paste-logits">"Numbers separated by commas, spaces or new lines (2 to 64)"</label>
            <textarea
                id="paste-logits"
                rows="2"
                prop:value=move || logits.with(|x| if x.len() <= URL_LOGIT_LIMIT { x.iter().map(ToString::to_string).collect::<Vec<_>>().join(", ") } else { String::new() })
                on:input=move |ev| pasted.set(event_target_value(&ev))
            ></textarea>
            <button type="button" class="button secondary" data-testid="apply-logits" on:click=move |_| apply()>"Use these logits"</button>
        </details>
        <div class="panel-head">
            <h2>"p = softmax(x / T)"</h2>
            <PngButton canvas=probabilities_canvas file_name="softmax-probabilities.png"/>
        </div>
        <Canvas2d
            name="softmax-probabilities"
            label="Bar chart of the softmax probabilities, one bar per logit; the largest is highlighted."
            height_px=200
            node_ref=probabilities_canvas
            draw=move |c, theme| distribution.with(|d| {
                let Some(d) = d else { return };
                if d.probabilities.len() <= BAR_LIMIT {
                    plot(c, |area| bar_chart(area, &d.probabilities, 0.0..1.0, "probability", Some(d.argmax), &theme));
                } else {
                    let logs: Vec<f32> = d.probabilities.iter().map(|p| p.log10()).collect();
                    let counts = histogram(&logs, 60, -12.0, 0.0);
                    let top = f64::from(counts.iter().copied().fold(1.0, f32::max));
                    plot(c, |area| bar_chart(area, &counts, 0.0..top * 1.05, "count (log10 p from −12 to 0)", None, &theme));
                }
            })
        />
    }
}
