//! The 2-D mode: drag the query and the keys on a plane (d = 2) and watch every selected method's weights.

use super::model::{label, plane_csv, plane_weights, snap_point, AttentionParams, PlanePoints};
use crate::canvas::blit::plot;
use crate::canvas::charts::{plane_chart, plane_point};
use crate::canvas::Canvas2d;
use crate::ui::{PngButton, TextDownload};
use leptos::html::Canvas;
use leptos::prelude::*;
use web_sys::{KeyboardEvent, PointerEvent};

/// The 2-D mode panel.
#[component]
pub fn PlaneMode(state: RwSignal<AttentionParams>) -> impl IntoView {
    let canvas = NodeRef::<Canvas>::new();
    let points = Memo::new(move |_| state.with(|p| p.plane.clone()));
    let methods = Memo::new(move |_| state.with(|p| p.methods.0.clone()));
    let weights = Memo::new(move |_| {
        points.with(|pts| methods.get().into_iter().map(|m| (m, plane_weights(pts, m))).collect::<Vec<_>>())
    });
    let selected = RwSignal::new(None::<usize>);
    let dragging = StoredValue::new(false);

    let set_point = move |i: usize, p: (f64, f64)| {
        state.update(|s| {
            if let Some(slot) = s.plane.0.get_mut(i) {
                *slot = snap_point(p);
            }
        })
    };
    let to_plane = move |ev: &PointerEvent| {
        let c = canvas.get_untracked()?;
        let (w, h) = (f64::from(c.client_width()), f64::from(c.client_height()));
        Some((plane_point(f64::from(ev.offset_x()), f64::from(ev.offset_y()), w, h), w.min(h)))
    };
    let on_down = move |ev: PointerEvent| {
        let Some(((x, y), side)) = to_plane(&ev) else { return };
        let reach = 16.0 / side * 8.0;
        let hit = points.with_untracked(|pts| {
            pts.0
                .iter()
                .enumerate()
                .map(|(i, &(px, py))| (i, (px - x).hypot(py - y)))
                .filter(|(_, d)| *d <= reach)
                .min_by(|a, b| a.1.total_cmp(&b.1))
                .map(|(i, _)| i)
        });
        selected.set(hit);
        if hit.is_some() {
            dragging.set_value(true);
            if let Some(c) = canvas.get_untracked() {
                let _ = c.set_pointer_capture(ev.pointer_id());
            }
            ev.prevent_default();
        }
    };
    let on_move = move |ev: PointerEvent| {
        if !dragging.get_value() {
            return;
        }
        if let (Some(i), Some((p, _))) = (selected.get_untracked(), to_plane(&ev)) {
            set_point(i, p);
        }
    };
    let on_up = move |_: PointerEvent| dragging.set_value(false);
    let on_key = move |ev: KeyboardEvent| {
        let n = points.with_untracked(|p| p.0.len());
        let step = if ev.shift_key() { 0.5 } else { 0.1 };
        let current = selected.get_untracked();
        let moved = match ev.key().as_str() {
            "]" | "n" => {
                selected.set(Some(current.map_or(0, |i| (i + 1) % n)));
                None
            }
            "[" | "p" => {
                selected.set(Some(current.map_or(n - 1, |i| (i + n - 1) % n)));
                None
            }
            "ArrowLeft" => Some((-step, 0.0)),
            "ArrowRight" => Some((step, 0.0)),
            "ArrowUp" => Some((0.0, step)),
            "ArrowDown" => Some((0.0, -step)),
            _ => return,
        };
        if let (Some((dx, dy)), Some(i)) = (moved, current) {
            let (x, y) = points.with_untracked(|p| p.0[i]);
            set_point(i, (x + dx, y + dy));
        }
        ev.prevent_default();
    };

    view! {
        <section class="panel wide" aria-label="Two-dimensional mode">
            <div class="panel-head">
                <h2>"2-D: drag the query and the keys"</h2>
                <PngButton canvas file_name="attention-plane.png"/>
                <TextDownload label="Weights (CSV)" file_name="softscope-attention-plane.csv" mime="text/csv"
                    contents=move || points.with(|p| weights.with(|w| plane_csv(p, w)))/>
                <button type="button" class="button secondary" on:click=move |_| state.update(|s| s.plane = PlanePoints::default())>"Reset points"</button>
            </div>
            <div class="plane-layout">
                <div
                    class="plane-editor"
                    tabindex="0"
                    role="application"
                    aria-label="Plane with the query q and keys k1, k2, …; ] and [ choose a point, arrows move it by 0.1 (Shift: 0.5)."
                    on:pointerdown=on_down
                    on:pointermove=on_move
                    on:pointerup=on_up
                    on:pointercancel=on_up
                    on:keydown=on_key
                >
                    <Canvas2d
                        name="attention-plane"
                        label="A plane with the query as an arrow from the origin and the keys as dots sized by the first method's weight; the table lists every weight."
                        height_px=360
                        aspect=1.0
                        node_ref=canvas
                        draw=move |c, theme| {
                            let sel = selected.get();
                            points.with(|pts| weights.with(|w| {
                                let first = w.first().map(|(_, w)| w.clone()).unwrap_or_else(|| vec![1.0; pts.0.len() - 1]);
                                plot(c, |area| plane_chart(area, pts.0[0], &pts.0[1..], &first, sel, &theme));
                            }))
                        }
                    />
                </div>
                <div class="table-wrap">
                    <table class="data" data-testid="plane-table">
                        <caption>"Weights of each key (d = 2); dots are sized by the first method"</caption>
                        <thead>
                            <tr>
                                <th>"key"</th>
                                {move || methods.get().into_iter().map(|m| view! { <th class="num">{label(m)}</th> }).collect::<Vec<_>>()}
                            </tr>
                        </thead>
                        <tbody>
                            {move || points.with(|pts| {
                                pts.0.iter().skip(1).enumerate().map(|(j, &(x, y))| view! {
                                    <tr data-key=format!("k{}", j + 1)>
                                        <td>{format!("k{} ({x}, {y})", j + 1)}</td>
                                        {weights.with(|w| w.iter().map(|(_, w)| view! { <td class="num">{format!("{:.4}", w[j])}</td> }).collect::<Vec<_>>())}
                                    </tr>
                                }).collect::<Vec<_>>()
                            })}
                        </tbody>
                    </table>
                </div>
            </div>
        </section>
    }
}
