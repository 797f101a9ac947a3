//! The Soft-NMS lab: a scene of detection boxes to drag, resize and rescore; hard, linear and Gaussian NMS in the
//! paper's and TensorFlow's conventions; a step-by-step replay of the reference algorithm; tables and exports.

pub mod model;
mod scene_editor;

use super::LabMeta;
use crate::canvas::blit::{plot, put_rgba};
use crate::canvas::charts::{scene_chart, BoxLook, SceneBox};
use crate::canvas::colormap::{heatmap_rgba, Colormap};
use crate::canvas::Canvas2d;
use crate::export::{download_png, download_text};
use crate::hooks::{use_player, use_url_state};
use crate::ui::{format_number, ChoiceSelect, LabFrame, LogSlider, Readout, SeedInput, Slider};
use crate::url_state::{Choice, Chosen};
use leptos::html::Canvas;
use leptos::prelude::*;
use model::{
    explain, replay, results_csv, run, scene_from_json, scene_to_json, NmsLabParams, Status, SCENE_H, SCENE_W,
};
use scene_editor::SceneEditor;
use softscope_kernels::nms::{Convention, Detection, Method};

/// The lab's entry in the registry.
pub const META: LabMeta = LabMeta {
    slug: "nms",
    title: "Soft-NMS lab",
    summary: "Hard NMS against linear and Gaussian Soft-NMS on boxes you can drag.",
    description: "A detector proposes many overlapping boxes per object. Hard non-maximum suppression deletes every \
        box that overlaps a better one too much; Soft-NMS (Bodla et al., ICCV 2017, arXiv:1704.04503) only decays \
        its score. Changing nothing but this step gained +1.7% mAP on PASCAL VOC 2007 and +1.1 to 1.3% on MS-COCO. \
        Drag, resize and rescore the boxes, then step through the algorithm.",
};

/// Above this many boxes the scene is drawn as a density map with the kept boxes on top.
const DENSITY_THRESHOLD: usize = 300;
/// Rows shown in the results table; the CSV has them all.
const RESULT_ROWS: usize = 40;

/// How each box looks at the current step, with its label.
fn scene_boxes(boxes: &[Detection], states: &[(f32, Status)], step: usize, focused: Option<usize>) -> Vec<SceneBox> {
    let labelled = boxes.len() <= 30;
    boxes
        .iter()
        .zip(states)
        .enumerate()
        .map(|(i, (b, &(score, status)))| {
            let look = match status {
                _ if Some(i) == focused => BoxLook::Focused,
                Status::Selected(k) if k + 1 == step => BoxLook::Current,
                Status::Selected(_) => BoxLook::Selected,
                Status::Discarded(_) => BoxLook::Discarded,
                Status::Remaining => BoxLook::Candidate,
            };
            let label = labelled.then(|| match status {
                Status::Selected(k) => format!("#{} {score:.2}", k + 1),
                _ => format!("{score:.2}"),
            });
            SceneBox { rect: [b.x1, b.y1, b.x2, b.y2], score, look, label }
        })
        .collect()
}

/// Box coverage per cell of a `cols` × `rows` grid, weighted by score: the density view of large scenes.
fn density(boxes: &[Detection], cols: usize, rows: usize) -> Vec<f32> {
    let mut grid = vec![0.0f32; cols * rows];
    let (cw, ch) = (SCENE_W / cols as f32, SCENE_H / rows as f32);
    for b in boxes {
        let (c0, c1) = ((b.x1 / cw) as usize, ((b.x2 / cw) as usize).min(cols - 1));
        let (r0, r1) = ((b.y1 / ch) as usize, ((b.y2 / ch) as usize).min(rows - 1));
        for r in r0.min(rows - 1)..=r1 {
            for c in c0.min(cols - 1)..=c1 {
                grid[r * cols + c] += b.score;
            }
        }
    }
    grid
}

/// The `/nms` page.
#[component]
pub fn NmsLab() -> impl IntoView {
    let url = use_url_state::<NmsLabParams>();
    let state = url.state;
    // A scene imported from JSON that is too large for a link lives here instead of in the URL.
    let large_scene = RwSignal::new(None::<Vec<Detection>>);
    let message = RwSignal::new(None::<String>);
    let focused = RwSignal::new(None::<usize>);
    let canvas = NodeRef::<Canvas>::new();

    let scene = Memo::new(move |_| large_scene.get().unwrap_or_else(|| state.with(NmsLabParams::scene)));
    let params = Memo::new(move |_| {
        let p = state.get();
        (p.method.0, p.convention.0, p.nt, p.sigma, p.threshold)
    });
    let outcome = Memo::new(move |_| {
        params.track();
        scene.with(|boxes| state.with_untracked(|p| run(p, boxes)))
    });
    let step_count = Memo::new(move |_| outcome.with(|o| o.as_ref().ok().and_then(|o| o.steps.as_ref()).map(Vec::len)));
    let step = Memo::new(move |_| {
        let wanted = state.with(|p| p.step as usize);
        step_count.get().map_or(0, |n| wanted.min(n))
    });

    // Editing a box: generated scenes become edited ones (in the URL while they fit).
    let edit = move |change: &dyn Fn(&mut Vec<Detection>)| {
        if large_scene.with_untracked(Option::is_some) {
            large_scene.update(|s| {
                if let Some(boxes) = s {
                    change(boxes);
                    boxes.iter_mut().for_each(|b| *b = model::snap(*b));
                }
            });
            return;
        }
        let mut boxes = scene.get_untracked();
        change(&mut boxes);
        boxes.iter_mut().for_each(|b| *b = model::snap(*b));
        if boxes.len() > model::URL_BOX_LIMIT {
            message.set(Some(format!(
                "This scene has {} boxes, more than a link holds ({}); use Export JSON to keep it.",
                boxes.len(),
                model::URL_BOX_LIMIT
            )));
            large_scene.set(Some(boxes));
        } else {
            state.update(|p| {
                p.boxes = model::BoxList(boxes);
                p.step = 0;
            });
        }
    };

    let draw = move |element: &web_sys::HtmlCanvasElement, theme| {
        let Ok(outcome) = outcome.get() else { return };
        let boxes = scene.get();
        let focus = focused.get();
        let step = step.get();
        match &outcome.steps {
            Some(steps) if boxes.len() <= DENSITY_THRESHOLD => {
                let states = replay(&boxes, steps, step);
                let drawn = scene_boxes(&boxes, &states, step, focus);
                plot(element, |area| scene_chart(area, &drawn, SCENE_W, SCENE_H, &theme));
            }
            _ => {
                let (cols, rows) = (160, 100);
                let grid = density(&boxes, cols, rows);
                let hi = grid.iter().copied().fold(0.0f32, f32::max);
                put_rgba(element, &heatmap_rgba(&grid, Colormap::Viridis, 0.0, hi), cols as u32, rows as u32);
                let kept: Vec<SceneBox> = outcome
                    .kept
                    .iter()
                    .take(30)
                    .map(|k| {
                        let b = boxes[k.index];
                        SceneBox {
                            rect: [b.x1, b.y1, b.x2, b.y2],
                            score: k.score,
                            look: BoxLook::Selected,
                            label: None,
                        }
                    })
                    .collect();
                plot(element, |area| scene_chart(area, &kept, SCENE_W, SCENE_H, &theme));
            }
        }
    };

    view! {
        <LabFrame title=META.title description=META.description notices=url.notices>
            <div class="lab-grid">
                <section class="panel controls" aria-label="Soft-NMS settings">
                    <h2>"Method"</h2>
                    <ChoiceSelect
                        label="Method"
                        key="method"
                        value=Signal::derive(move || state.with(|p| p.method.0))
                        on_change=move |m: Method| state.update(|p| { p.method = Chosen(m); p.step = 0; })
                    />
                    <ChoiceSelect
                        label="Convention"
                        key="convention"
                        value=Signal::derive(move || state.with(|p| p.convention.0))
                        on_change=move |c: Convention| state.update(|p| { p.convention = Chosen(c); p.step = 0; })
                    />
                    <Slider
                        label="IoU threshold Nₜ"
                        key="nt"
                        min=0.0
                        max=1.0
                        step=0.01
                        value=Signal::derive(move || state.with(|p| p.nt))
                        on_change=move |v| state.update(|p| { p.nt = v; p.step = 0; })
                        describe=|v| format!("IoU threshold {v:.2}")
                    />
                    <LogSlider
                        label="σ"
                        key="sigma"
                        min=0.01
                        max=2.0
                        value=Signal::derive(move || state.with(|p| p.sigma))
                        on_change=move |v| state.update(|p| { p.sigma = v; p.step = 0; })
                        describe=|v| format!("sigma {}", format_number(v))
                    />
                    <LogSlider
                        label="Score threshold"
                        key="threshold"
                        min=0.0001
                        max=0.5
                        value=Signal::derive(move || state.with(|p| p.threshold.max(0.0001)))
                        on_change=move |v| state.update(|p| { p.threshold = v; p.step = 0; })
                        describe=|v| format!("score threshold {}", format_number(v))
                    />
                    <h2>"Scene"</h2>
                    <Show
                        when=move || state.with(|p| p.boxes.0.is_empty()) && large_scene.with(Option::is_none)
                        fallback=move || view! {
                            <p class="hint">{move || format!("Edited scene of {} boxes.", scene.with(Vec::len))}</p>
                            <button type="button" class="button secondary" on:click=move |_| {
                                large_scene.set(None);
                                focused.set(None);
                                message.set(None);
                                state.update(|p| { p.boxes = model::BoxList::default(); p.step = 0; });
                            }>"Back to a generated scene"</button>
                        }
                    >
                        <Slider
                            label="Objects"
                            key="objects"
                            min=1.0
                            max=50.0
                            step=1.0
                            value=Signal::derive(move || f64::from(state.with(|p| p.objects)))
                            on_change=move |n| state.update(|p| { p.objects = n as u32; p.step = 0; })
                            describe=|n| format!("{n} objects")
                        />
                        <Slider
                            label="Boxes per object"
                            key="per_object"
                            min=1.0
                            max=200.0
                            step=1.0
                            value=Signal::derive(move || f64::from(state.with(|p| p.per_object)))
                            on_change=move |n| state.update(|p| { p.per_object = n as u32; p.step = 0; })
                            describe=|n| format!("{n} boxes per object")
                        />
                        <SeedInput
                            value=Signal::derive(move || state.with(|p| p.seed))
                            on_change=move |s| state.update(|p| { p.seed = s; p.step = 0; })
                        />
                    </Show>
                    <div class="readouts">
                        <Readout label="boxes" value=Signal::derive(move || scene.with(|s| s.len().to_string()))/>
                        <Readout
                            label="kept"
                            value=Signal::derive(move || outcome.with(|o| o.as_ref().map_or("—".into(), |o| o.kept.len().to_string())))
                        />
                    </div>
                </section>
                <section class="panel figure" aria-label="Detection scene">
                    <h2>"Scene"</h2>
                    <Show when=move || message.get().is_some()>
                        <p class="notice" role="status">{move || message.get()}</p>
                    </Show>
                    <Show when=move || outcome.with(Result::is_err)>
                        <p class="notice" role="alert" data-testid="nms-error">
                            {move || outcome.with(|o| o.as_ref().err().cloned())}
                        </p>
                    </Show>
                    <SceneEditor scene focused edit canvas>
                        <Canvas2d
                            name="nms-scene"
                            label="The detection scene: boxes with their scores; kept boxes are green with their rank, the box selected in the current step is orange, discarded boxes are grey. Tables below list the same data."
                            height_px=400
                            aspect=f64::from(SCENE_H / SCENE_W)
                            node_ref=canvas
                            draw
                        />
                    </SceneEditor>
                    <StepControls state step step_count/>
                    <StepTable scene outcome step state/>
                    <div class="export-row">
                        <button type="button" class="button secondary" data-testid="export-json" on:click=move |_| {
                            let json = scene_to_json(&scene.get_untracked());
                            if let Err(e) = download_text(&json, "softscope-nms-scene.json", "application/json") {
                                message.set(Some(e.0));
                            }
                        }>"Export scene JSON"</button>
                        <label class="button secondary file-button">
                            "Import JSON"
                            <input type="file" accept=".json,application/json" data-testid="import-json" on:change=move |ev| {
                                let input: web_sys::HtmlInputElement = event_target(&ev);
                                let Some(file) = input.files().and_then(|f| f.get(0)) else { return };
                                leptos::task::spawn_local(async move {
                                    let text = wasm_bindgen_futures::JsFuture::from(file.text()).await;
                                    match text.ok().and_then(|t| t.as_string()).ok_or("could not read the file".to_string()).and_then(|t| scene_from_json(&t)) {
                                        Ok(boxes) => {
                                            focused.set(None);
                                            if boxes.len() > model::URL_BOX_LIMIT {
                                                message.set(Some(format!("Imported {} boxes; a link holds at most {}, so this scene lives only in this page and in its JSON.", boxes.len(), model::URL_BOX_LIMIT)));
                                                large_scene.set(Some(boxes));
                                            } else {
                                                message.set(Some(format!("Imported {} boxes.", boxes.len())));
                                                large_scene.set(None);
                                                state.update(|p| { p.boxes = model::BoxList(boxes); p.step = 0; });
                                            }
                                        }
                                        Err(e) => message.set(Some(format!("Could not import: {e}"))),
                                    }
                                });
                            }/>
                        </label>
                        <button type="button" class="button secondary" data-testid="export-csv" on:click=move |_| {
                            if let Ok(o) = outcome.get_untracked() {
                                let csv = results_csv(&scene.get_untracked(), &o.kept);
                                if let Err(e) = download_text(&csv, "softscope-nms-results.csv", "text/csv") {
                                    message.set(Some(e.0));
                                }
                            }
                        }>"Results CSV"</button>
                        <button type="button" class="button secondary" data-testid="export-png" on:click=move |_| {
                            if let Some(c) = canvas.get_untracked() {
                                if let Err(e) = download_png(&c, "softscope-nms-scene.png") {
                                    message.set(Some(e.0));
                                }
                            }
                        }>"Figure PNG"</button>
                    </div>
                </section>
            </div>
            <div class="lab-grid lower">
                <section class="panel" aria-label="Method comparison">
                    <h2>"All methods on this scene"</h2>
                    <div class="table-wrap"><table class="data" data-testid="method-comparison">
                        <thead><tr><th>"method"</th><th class="num">"kept"</th><th class="num">"top score"</th></tr></thead>
                        <tbody>
                            {move || outcome.with(|o| o.as_ref().map(|o| o.all_methods.iter().map(|r| view! {
                                <tr>
                                    <td>{r.method.label()}</td>
                                    <td class="num">{r.kept.len()}</td>
                                    <td class="num">{r.kept.first().map_or("—".into(), |k| format!("{:.4}", k.score))}</td>
                                </tr>
                            }).collect::<Vec<_>>()).unwrap_or_default())}
                        </tbody>
                    </table></div>
                    <p class="verdict" data-testid="reference-verdict">
                        {move || outcome.with(|o| match o.as_ref().ok().and_then(|o| o.matches_reference) {
                            Some(true) => "✓ The fast kernel's result is identical to a line-by-line transcription of the reference cpu_soft_nms (checked live on this scene, and on scenes of up to 10 000 boxes by the test suite).".to_string(),
                            Some(false) => "✗ The fast kernel differs from the reference on this scene. Please report this link.".to_string(),
                            None => "This scene is too large to replay live; the test suite checks the fast kernel against the reference on scenes of up to 10 000 boxes.".to_string(),
                        })}
                    </p>
                    <Explanation/>
                </section>
                <section class="panel" aria-label="Results">
                    <h2>"Kept boxes in selection order"</h2>
                    <ResultsTable scene outcome/>
                </section>
            </div>
        </LabFrame>
    }
}

/// Play, pause, step forward and back through the reference trace.
#[component]
fn StepControls(state: RwSignal<NmsLabParams>, step: Memo<usize>, step_count: Memo<Option<usize>>) -> impl IntoView {
    let go = move |to: usize| state.update(|p| p.step = to as u32);
    let player = use_player(700, move || {
        let s = step.get_untracked();
        let more = s < step_count.get_untracked().unwrap_or(0);
        if more {
            go(s + 1);
        }
        more
    });
    let stop = move || player.stop();
    let play = move || {
        if player.is_playing() {
            return stop();
        }
        if step.get_untracked() >= step_count.get_untracked().unwrap_or(0) {
            go(0);
        }
        player.start();
    };
    view! {
        <Show
            when=move || step_count.get().is_some()
            fallback=|| view! { <p class="hint">"Scenes of more than 600 boxes are not animated; the tables show the result."</p> }
        >
            <div class="step-controls" role="group" aria-label="Step through the algorithm">
                <button type="button" class="button secondary" aria-label="First step" on:click=move |_| { stop(); go(0); }>"|◀"</button>
                <button type="button" class="button secondary" data-testid="step-back" aria-label="Step back"
                    on:click=move |_| { stop(); go(step.get_untracked().saturating_sub(1)); }>"◀"</button>
                <button type="button" class="button" data-testid="play" on:click=move |_| play()>
                    {move || if player.is_playing() { "Pause" } else { "Play" }}
                </button>
                <button type="button" class="button secondary" data-testid="step-forward" aria-label="Step forward"
                    on:click=move |_| { stop(); go((step.get_untracked() + 1).min(step_count.get_untracked().unwrap_or(0))); }>"▶"</button>
                <button type="button" class="button secondary" aria-label="Last step"
                    on:click=move |_| { stop(); go(step_count.get_untracked().unwrap_or(0)); }>"▶|"</button>
                <span class="step-label" data-testid="step-label" aria-live="polite">
                    {move || format!("step {} of {}", step.get(), step_count.get().unwrap_or(0))}
                </span>
            </div>
        </Show>
    }
}

/// What the current step did to each overlapping box, and why.
#[component]
fn StepTable(
    scene: Memo<Vec<Detection>>,
    outcome: Memo<Result<model::Outcome, String>>,
    step: Memo<usize>,
    state: RwSignal<NmsLabParams>,
) -> impl IntoView {
    let rows = move || {
        let s = step.get();
        let p = state.get();
        outcome.with(|o| {
            let steps = o.as_ref().ok()?.steps.as_ref()?;
            let current = steps.get(s.checked_sub(1)?)?;
            let boxes = scene.get();
            let selected = boxes.get(current.selected)?;
            let mut decays: Vec<_> = current.decays.iter().filter(|d| d.iou > 0.0 || d.discarded).collect();
            decays.sort_by(|a, b| b.iou.total_cmp(&a.iou));
            let shown = decays.len().min(30);
            let rows = decays[..shown]
                .iter()
                .map(|d| {
                    let why = explain(p.method.0, p.convention.0, p.nt, p.sigma, d.iou, d.before, d.after);
                    view! {
                        <tr class:discarded=d.discarded>
                            <td class="num">{d.index}</td>
                            <td class="num">{format!("{:.3}", d.iou)}</td>
                            <td class="num">{format!("{:.4}", d.before)}</td>
                            <td class="num">{format!("{:.4}", d.after)}</td>
                            <td>{if d.discarded { format!("{why}; below the threshold: discarded") } else { why }}</td>
                        </tr>
                    }
                })
                .collect::<Vec<_>>();
            Some(view! {
                <p class="step-summary" data-testid="step-summary">
                    {format!(
                        "Step {s}: box {} (score {:.4}, at {:.0},{:.0}–{:.0},{:.0}) has the highest remaining score and is kept; {} other boxes overlap it.",
                        current.selected, current.score, selected.x1, selected.y1, selected.x2, selected.y2, decays.len()
                    )}
                </p>
                <div class="table-wrap"><table class="data" data-testid="step-table">
                    <thead><tr><th class="num">"box"</th><th class="num">"IoU"</th><th class="num">"before"</th><th class="num">"after"</th><th>"why"</th></tr></thead>
                    <tbody>{rows}</tbody>
                </table></div>
            })
        })
    };
    let animated = move || outcome.with(|o| o.as_ref().is_ok_and(|o| o.steps.is_some()));
    view! {
        <div class="step-table">
            {move || match rows() {
                Some(table) => table.into_any(),
                None if animated() => view! {
                    <p class="hint" data-testid="step-summary">
                        "Step 0: nothing selected yet. Press ▶ to select the highest-scoring box."
                    </p>
                }.into_any(),
                None => ().into_any(),
            }}
        </div>
    }
}

/// The final kept boxes with their scores before and after.
#[component]
fn ResultsTable(scene: Memo<Vec<Detection>>, outcome: Memo<Result<model::Outcome, String>>) -> impl IntoView {
    view! {
        <div class="table-wrap"><table class="data" data-testid="results-table">
            <thead><tr><th class="num">"rank"</th><th class="num">"box"</th><th>"corners"</th><th class="num">"score"</th><th class="num">"after"</th></tr></thead>
            <tbody>
                {move || {
                    let boxes = scene.get();
                    outcome.with(|o| o.as_ref().map(|o| o.kept.iter().take(RESULT_ROWS).enumerate().map(|(rank, k)| {
                        let b = boxes[k.index];
                        view! {
                            <tr data-box=k.index>
                                <td class="num">{rank + 1}</td>
                                <td class="num">{k.index}</td>
                                <td>{format!("{},{} – {},{}", b.x1, b.y1, b.x2, b.y2)}</td>
                                <td class="num">{format!("{:.4}", b.score)}</td>
                                <td class="num score-after">{format!("{:.4}", k.score)}</td>
                            </tr>
                        }
                    }).collect::<Vec<_>>()).unwrap_or_default())
                }}
            </tbody>
        </table></div>
        <p class="hint">
            {move || outcome.with(|o| o.as_ref().ok().filter(|o| o.kept.len() > RESULT_ROWS).map(|o| format!("… and {} more in the CSV.", o.kept.len() - RESULT_ROWS)))}
        </p>
    }
}

/// The formulas and the paper's numbers.
#[component]
fn Explanation() -> impl IntoView {
    view! {
        <div class="explain">
            <p>
                "Each step keeps the box M with the highest remaining score, then rescales every other box's score s"
                <sub>"i"</sub>" by a weight of its overlap o"<sub>"i"</sub>" = IoU(M, b"<sub>"i"</sub>"):"
            </p>
            <ul>
                <li>"hard NMS: 0 if o"<sub>"i"</sub>" > Nₜ, else 1;"</li>
                <li>"linear Soft-NMS: 1 − o"<sub>"i"</sub>" if o"<sub>"i"</sub>" > Nₜ, else 1;"</li>
                <li>"Gaussian Soft-NMS: exp(−o"<sub>"i"</sub><sup>"2"</sup>"/σ) for every box."</li>
            </ul>
            <p>
                "Boxes whose score falls below the threshold are discarded. The paper's code adds 1 pixel to every \
                width and height; TensorFlow does not, and writes the Gaussian as exp(−o²/(2σ)), so its σ is half \
                the paper's. Bodla et al. report +1.7% mAP on PASCAL VOC 2007 and +1.1 to 1.3% on MS-COCO from \
                this change alone."
            </p>
        </div>
    }
}

/// The landing card's live figure: a small scene after Gaussian Soft-NMS.
#[component]
pub fn Thumbnail() -> impl IntoView {
    let params = NmsLabParams { objects: 4, per_object: 4, seed: 3, ..NmsLabParams::default() };
    let boxes = params.scene();
    let drawn = run(&params, &boxes)
        .ok()
        .and_then(|o| o.steps)
        .map(|steps| {
            let states = replay(&boxes, &steps, steps.len());
            let mut drawn = scene_boxes(&boxes, &states, steps.len() + 1, None);
            drawn.iter_mut().for_each(|b| b.label = None);
            drawn
        })
        .unwrap_or_default();
    view! {
        <Canvas2d
            name="thumbnail-nms"
            label="Sixteen detection boxes around four objects after Gaussian Soft-NMS."
            height_px=120
            compact=true
            draw=move |canvas, theme| plot(canvas, |area| scene_chart(area, &drawn, SCENE_W, SCENE_H, &theme))
        />
    }
}
