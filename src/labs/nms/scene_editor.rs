//! Editing the Soft-NMS scene with mouse, touch and keyboard: select, move, resize, add, delete and rescore boxes.

use super::model::{SCENE_H, SCENE_W};
use crate::canvas::charts::HANDLE_CSS_PX;
use leptos::html::Canvas;
use leptos::prelude::*;
use softscope_kernels::nms::Detection;
use web_sys::{KeyboardEvent, PointerEvent};

/// A drag in progress.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Drag {
    /// Moving box `index`, grabbed at this offset from its top-left corner.
    Move { index: usize, dx: f32, dy: f32 },
    /// Resizing box `index` by the corner on the `right` / `bottom` side (or the opposite ones).
    Resize { index: usize, right: bool, bottom: bool },
}

/// The smallest box containing the point: nested boxes stay reachable.
fn hit(boxes: &[Detection], x: f32, y: f32) -> Option<usize> {
    boxes
        .iter()
        .enumerate()
        .filter(|(_, b)| b.x1 <= x && x <= b.x2 && b.y1 <= y && y <= b.y2)
        .min_by(|(_, a), (_, b)| ((a.x2 - a.x1) * (a.y2 - a.y1)).total_cmp(&((b.x2 - b.x1) * (b.y2 - b.y1))))
        .map(|(i, _)| i)
}

/// Moves a box by (dx, dy) without leaving the scene.
fn shifted(b: Detection, dx: f32, dy: f32) -> Detection {
    let (w, h) = (b.x2 - b.x1, b.y2 - b.y1);
    let x1 = (b.x1 + dx).clamp(0.0, SCENE_W - w);
    let y1 = (b.y1 + dy).clamp(0.0, SCENE_H - h);
    Detection { x1, y1, x2: x1 + w, y2: y1 + h, ..b }
}

/// Wraps the scene canvas with the editing interactions and shows the panel of the selected box.
#[component]
pub fn SceneEditor<F>(
    /// The boxes.
    scene: Memo<Vec<Detection>>,
    /// The box being edited.
    focused: RwSignal<Option<usize>>,
    /// Applies a change to the boxes.
    edit: F,
    /// The scene's canvas, for coordinates.
    canvas: NodeRef<Canvas>,
    /// The canvas itself.
    children: Children,
) -> impl IntoView
where
    F: Fn(&dyn Fn(&mut Vec<Detection>)) + Copy + Send + Sync + 'static,
{
    let drag = StoredValue::new(None::<Drag>);
    // Scene units per CSS pixel of the canvas, and the pointer in scene units.
    let to_scene = move |ev: &PointerEvent| {
        let width = canvas.get_untracked().map_or(0, |c| c.client_width()) as f32;
        let per_px = SCENE_W / width.max(1.0);
        (ev.offset_x() as f32 * per_px, ev.offset_y() as f32 * per_px, per_px)
    };
    let update = move |index: usize, change: &dyn Fn(Detection) -> Detection| {
        edit(&|boxes: &mut Vec<Detection>| {
            if let Some(b) = boxes.get_mut(index) {
                *b = change(*b);
            }
        })
    };

    let on_down = move |ev: PointerEvent| {
        let (x, y, per_px) = to_scene(&ev);
        let boxes = scene.get_untracked();
        let reach = (HANDLE_CSS_PX as f32 + 4.0) * per_px;
        let corner = focused.get_untracked().and_then(|i| {
            let b = boxes.get(i)?;
            [(false, false), (true, false), (false, true), (true, true)].into_iter().find_map(|(right, bottom)| {
                let cx = if right { b.x2 } else { b.x1 };
                let cy = if bottom { b.y2 } else { b.y1 };
                ((cx - x).abs() <= reach && (cy - y).abs() <= reach).then_some(Drag::Resize { index: i, right, bottom })
            })
        });
        let grab = corner.or_else(|| {
            hit(&boxes, x, y).map(|index| Drag::Move { index, dx: x - boxes[index].x1, dy: y - boxes[index].y1 })
        });
        match grab {
            Some(d) => {
                let (Drag::Move { index, .. } | Drag::Resize { index, .. }) = d;
                focused.set(Some(index));
                drag.set_value(Some(d));
                if let Some(c) = canvas.get_untracked() {
                    let _ = c.set_pointer_capture(ev.pointer_id());
                }
                ev.prevent_default();
            }
            None => focused.set(None),
        }
    };
    let on_move = move |ev: PointerEvent| {
        let Some(d) = drag.get_value() else { return };
        let (x, y, _) = to_scene(&ev);
        let (x, y) = (x.clamp(0.0, SCENE_W), y.clamp(0.0, SCENE_H));
        match d {
            Drag::Move { index, dx, dy } => update(index, &|b| shifted(b, x - dx - b.x1, y - dy - b.y1)),
            Drag::Resize { index, right, bottom } => update(index, &|b| {
                let (mut x1, mut x2) = if right { (b.x1, x) } else { (x, b.x2) };
                let (mut y1, mut y2) = if bottom { (b.y1, y) } else { (y, b.y2) };
                // Keep at least a pixel so the box never flips while dragging.
                if x2 - x1 < 1.0 {
                    if right {
                        x2 = x1 + 1.0
                    } else {
                        x1 = x2 - 1.0
                    }
                }
                if y2 - y1 < 1.0 {
                    if bottom {
                        y2 = y1 + 1.0
                    } else {
                        y1 = y2 - 1.0
                    }
                }
                Detection { x1, y1, x2, y2, ..b }
            }),
        }
    };
    let on_up = move |_: PointerEvent| drag.set_value(None);
    let on_double = move |ev: web_sys::MouseEvent| {
        let width = canvas.get_untracked().map_or(0, |c| c.client_width()) as f32;
        let per_px = SCENE_W / width.max(1.0);
        let (x, y) = (ev.offset_x() as f32 * per_px, ev.offset_y() as f32 * per_px);
        if hit(&scene.get_untracked(), x, y).is_some() {
            return;
        }
        let new_box =
            shifted(Detection { x1: x - 30.0, y1: y - 30.0, x2: x + 30.0, y2: y + 30.0, score: 0.5 }, 0.0, 0.0);
        edit(&|boxes: &mut Vec<Detection>| boxes.push(new_box));
        focused.set(Some(scene.get_untracked().len() - 1));
    };
    let remove = move || {
        if let Some(i) = focused.get_untracked() {
            edit(&|boxes: &mut Vec<Detection>| {
                if i < boxes.len() {
                    boxes.remove(i);
                }
            });
            focused.set(None);
        }
    };
    let cycle = move |forward: bool| {
        let n = scene.with_untracked(Vec::len);
        if n == 0 {
            return;
        }
        let next = match focused.get_untracked() {
            Some(i) if forward => (i + 1) % n,
            Some(i) => (i + n - 1) % n,
            None if forward => 0,
            None => n - 1,
        };
        focused.set(Some(next));
    };
    let on_key = move |ev: KeyboardEvent| {
        let step = if ev.shift_key() { 10.0 } else { 1.0 };
        let handled = match (ev.key().as_str(), focused.get_untracked()) {
            ("]" | "n", _) => {
                cycle(true);
                true
            }
            ("[" | "p", _) => {
                cycle(false);
                true
            }
            ("Escape", _) => {
                focused.set(None);
                true
            }
            (key, Some(i)) => {
                let moved = match key {
                    "ArrowLeft" => Some((-step, 0.0)),
                    "ArrowRight" => Some((step, 0.0)),
                    "ArrowUp" => Some((0.0, -step)),
                    "ArrowDown" => Some((0.0, step)),
                    _ => None,
                };
                if let Some((dx, dy)) = moved {
                    update(i, &|b| shifted(b, dx, dy));
                    true
                } else {
                    match key {
                        "+" | "=" => update(i, &|b| Detection { score: (b.score + 0.05).min(1.0), ..b }),
                        "-" | "_" => update(i, &|b| Detection { score: (b.score - 0.05).max(0.0), ..b }),
                        "Delete" | "Backspace" => remove(),
                        _ => return,
                    }
                    true
                }
            }
            _ => false,
        };
        if handled {
            ev.prevent_default();
        }
    };

    let field = move |label: &'static str,
                      key: &'static str,
                      read: fn(&Detection) -> f32,
                      write: fn(Detection, f32) -> Detection| {
        let value = move || focused.get().and_then(|i| scene.with(|s| s.get(i).map(read))).unwrap_or(0.0);
        view! {
            <label class="box-field">
                {label}
                <input
                    type="number"
                    data-key=key
                    step=if key == "score" { "0.01" } else { "1" }
                    min="0"
                    max=if key == "score" { "1" } else { "640" }
                    prop:value=move || value().to_string()
                    on:change=move |ev| {
                        let Some(i) = focused.get_untracked() else { return };
                        if let Ok(v) = event_target_value(&ev).parse::<f32>() {
                            if v.is_finite() {
                                update(i, &|b| write(b, v));
                            }
                        }
                    }
                />
            </label>
        }
    };

    view! {
        <div
            class="scene-editor"
            tabindex="0"
            role="application"
            aria-label="Scene editor. ] and [ choose a box, arrows move it (Shift ×10), + and − change its score, Delete removes it; double-click adds a box."
            aria-describedby="scene-help"
            on:pointerdown=on_down
            on:pointermove=on_move
            on:pointerup=on_up
            on:pointercancel=on_up
            on:dblclick=on_double
            on:keydown=on_key
        >
            {children()}
        </div>
        <div class="box-panel" data-testid="box-panel">
            <Show
                when=move || focused.get().is_some_and(|i| i < scene.with(Vec::len))
                fallback=|| view! {
                    <p class="hint" id="scene-help">
                        "Click a box to select it, drag to move it, drag a corner to resize it, double-click empty space \
                        to add one. Keyboard: focus the scene, then ] and [ choose a box, arrows move it (Shift for 10 px), \
                        + and − change its score, Delete removes it."
                    </p>
                }
            >
                <strong>{move || format!("Box {}", focused.get().unwrap_or(0))}</strong>
                {field("score", "score", |b| b.score, |b, v| Detection { score: v.clamp(0.0, 1.0), ..b })}
                {field("x1", "x1", |b| b.x1, |b, v| Detection { x1: v, ..b })}
                {field("y1", "y1", |b| b.y1, |b, v| Detection { y1: v, ..b })}
                {field("x2", "x2", |b| b.x2, |b, v| Detection { x2: v, ..b })}
                {field("y2", "y2", |b| b.y2, |b, v| Detection { y2: v, ..b })}
                <button type="button" class="button secondary" on:click=move |_| cycle(false)>"Previous"</button>
                <button type="button" class="button secondary" on:click=move |_| cycle(true)>"Next"</button>
                <button type="button" class="button danger" on:click=move |_| remove()>"Delete"</button>
            </Show>
        </div>
    }
}
