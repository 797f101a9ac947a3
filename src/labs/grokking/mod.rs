//! The grokking lab: a modular-arithmetic MLP trained live in a Web Worker, Softmax Collapse as it happens, and
//! its cures; plus the one-sample view of where float32 cross-entropy becomes exactly zero.

pub mod model;
pub mod protocol;

use super::LabMeta;
use crate::canvas::blit::plot;
use crate::canvas::charts::{line_chart, Series};
use crate::canvas::Canvas2d;
use crate::hooks::use_url_state;
use crate::ui::{
    format_number, ChoiceSelect, LabFrame, LogSlider, PngButton, Readout, SeedInput, Slider, TextDownload,
};
use crate::url_state::Chosen;
use leptos::html::Canvas;
use leptos::prelude::*;
use model::{collapse_gap, collapse_step, loss_f32, loss_f64, run_csv, run_json, GrokkingParams, SumOrder, PRESETS};
use protocol::{FromWorker, ToWorker};
use softscope_kernels::grok::{LossKind, Metrics, OptimiserKind, Task};
use softscope_kernels::precision::Precision;
use wasm_bindgen::prelude::*;

/// The lab's entry in the registry.
pub const META: LabMeta = LabMeta {
    slug: "grokking",
    title: "Grokking lab",
    summary: "Softmax Collapse: when float32 rounds the loss to exactly zero and learning stops.",
    description: "Train a small network on modular arithmetic, live in your browser. Without regularisation it fits \
        the training set, then grows its logits until float32 rounds most training losses to exactly zero: \
        Softmax Collapse, and learning stops before it generalises. StableMax, ⊥Grad, weight decay and higher \
        precision each rescue it.",
};

/// Points of a curve, (gap, log10 loss).
type Curve = Vec<(f64, f64)>;

/// Loss curves over gaps 0 to 25 in f32 and f64.
fn curves(params: &GrokkingParams) -> (Curve, Curve) {
    let gaps = (0..=500).map(|i| f64::from(i) * 0.05);
    let f32_curve = gaps
        .clone()
        .map(|g| (g, f64::from(loss_f32(g as f32, params.competitors, params.order.0)).max(1e-12).log10()))
        .collect();
    let f64_curve = gaps.map(|g| (g, loss_f64(g, params.competitors).log10())).collect();
    (f32_curve, f64_curve)
}

/// What the page knows of the run in the worker.
#[derive(Clone, Copy)]
struct Run {
    points: RwSignal<Vec<Metrics>>,
    step: RwSignal<u64>,
    running: RwSignal<bool>,
    rate: RwSignal<f64>,
    error: RwSignal<Option<String>>,
    ready: RwSignal<bool>,
    /// Play as soon as the worker reports the new run (a preset was chosen).
    play_on_restart: RwSignal<bool>,
}

/// The sender of messages to the training worker, which routes the worker's messages into `run`.
///
/// The worker (and its wasm) starts with the first message, not with the page: reading about collapse or opening
/// a shared link costs no trainer. Messages wait in a queue until the worker's readiness handshake, behind the
/// configuration of the moment (`configure`).
fn worker_sender(run: Run, configure: impl Fn() -> ToWorker + Copy + 'static) -> impl Fn(ToWorker) + Copy + 'static {
    let worker = StoredValue::new_local(None::<web_sys::Worker>);
    let queue = StoredValue::new_local(Vec::<ToWorker>::new());
    type Handlers = (Closure<dyn FnMut(web_sys::MessageEvent)>, Closure<dyn FnMut(web_sys::Event)>);
    let closures = StoredValue::new_local(None::<Handlers>);
    // Registered now, in the page's scope: the worker itself may start later, from a click.
    on_cleanup(move || {
        worker.with_value(|w| {
            if let Some(w) = w {
                w.terminate();
            }
        });
        closures.set_value(None);
    });
    let post = move |message: &ToWorker| {
        worker.with_value(|w| {
            if let Some(w) = w {
                let _ = w.post_message(&JsValue::from_str(&message.to_json()));
            }
        })
    };
    let start = move || -> bool {
        // Relative to the page, so that a build served from a sub-path finds its worker too.
        let Ok(w) = web_sys::Worker::new("./worker_loader.js") else {
            run.error.set(Some("This browser could not start a Web Worker, which training needs.".into()));
            return false;
        };
        let on_message = Closure::<dyn FnMut(web_sys::MessageEvent)>::new(move |event: web_sys::MessageEvent| {
            let text = event.data().as_string().unwrap_or_default();
            match serde_json::from_str::<FromWorker>(&text) {
                Ok(FromWorker::Ready) => {
                    run.ready.set(true);
                    for message in queue.try_update_value(std::mem::take).unwrap_or_default() {
                        post(&message);
                    }
                }
                Ok(FromWorker::Restarted) => {
                    run.points.set(Vec::new());
                    run.error.set(None);
                    if run.play_on_restart.get_untracked() {
                        run.play_on_restart.set(false);
                        post(&ToWorker::Play);
                    }
                }
                Ok(FromWorker::Progress { step, running, points, steps_per_s }) => {
                    run.step.set(step);
                    run.running.set(running);
                    run.rate.set(steps_per_s);
                    if !points.is_empty() {
                        run.points.update(|p| p.extend(points));
                    }
                }
                Ok(FromWorker::Failed { message }) => {
                    run.running.set(false);
                    run.error.set(Some(message));
                }
                Err(e) => run.error.set(Some(format!("unexpected message from the training worker: {e}"))),
            }
        });
        w.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
        let on_error = Closure::<dyn FnMut(web_sys::Event)>::new(move |_| {
            run.running.set(false);
            run.error.set(Some("The training worker failed to load or crashed; reload the page to retry.".into()));
        });
        w.set_onerror(Some(on_error.as_ref().unchecked_ref()));
        closures.set_value(Some((on_message, on_error)));
        worker.set_value(Some(w));
        true
    };
    move |message: ToWorker| {
        if run.ready.get_untracked() {
            post(&message);
            return;
        }
        if worker.with_value(Option::is_none) {
            if !start() {
                return;
            }
            queue.update_value(|q| q.push(configure()));
        }
        queue.update_value(|q| q.push(message));
    }
}

/// A curve of a run chart: its legend and the value it takes from a logged point.
type RunCurve = (&'static str, fn(&Metrics) -> f64);

/// The chart of one group of curves over the steps logged so far.
#[component]
fn RunChart(
    /// Figure name (test handle and file name).
    name: &'static str,
    /// The heading.
    title: &'static str,
    /// Accessible description.
    label: &'static str,
    /// The y axis.
    y_desc: &'static str,
    /// The y range.
    y_range: fn(&[Metrics]) -> std::ops::Range<f64>,
    /// (legend, value of a point) per curve.
    curves: &'static [RunCurve],
    /// The run's points.
    points: RwSignal<Vec<Metrics>>,
    /// Where to draw a dashed rule.
    marker: Signal<Option<f64>>,
) -> impl IntoView {
    let canvas = NodeRef::<Canvas>::new();
    view! {
        <figure class="run-chart">
            <div class="panel-head">
                <h3>{title}</h3>
                <PngButton canvas file_name="grokking-chart.png"/>
            </div>
            <Canvas2d
                name
                label
                height_px=180
                node_ref=canvas
                draw=move |c, theme| points.with(|points| {
                    let last = points.last().map_or(1.0, |m| m.step as f64).max(1.0);
                    let lines: Vec<Vec<(f64, f64)>> = curves
                        .iter()
                        .map(|(_, f)| points.iter().map(|m| (m.step as f64, f(m))).filter(|(_, v)| v.is_finite()).collect())
                        .collect();
                    let series: Vec<Series<'_>> = curves
                        .iter()
                        .zip(&lines)
                        .enumerate()
                        .map(|(i, ((legend, _), pts))| Series { label: legend, points: pts, color: i })
                        .collect();
                    plot(c, |area| line_chart(area, &series, 0.0..last, y_range(points), "step", y_desc, marker.get(), &theme));
                })
            />
        </figure>
    }
}

fn unit_range(_: &[Metrics]) -> std::ops::Range<f64> {
    0.0..1.02
}

fn log_loss_range(points: &[Metrics]) -> std::ops::Range<f64> {
    let values = points.iter().flat_map(|m| [log_loss(m.train.train_loss), log_loss(m.test_loss)]);
    let (lo, hi) = values.filter(|v| v.is_finite()).fold((0.0f64, 0.0f64), |(lo, hi), v| (lo.min(v), hi.max(v)));
    (lo - 0.5).floor()..(hi + 0.5).ceil()
}

fn log_norm_range(points: &[Metrics]) -> std::ops::Range<f64> {
    let top = points.iter().map(|m| total_norm(m).max(m.train.logit_norm)).fold(10.0f64, f64::max);
    0.0..top.log10().ceil()
}

/// log10 of a loss, with exact zeros drawn at 1e-12 so that they stay on the chart.
fn log_loss(loss: f64) -> f64 {
    loss.max(1e-12).log10()
}

fn total_norm(m: &Metrics) -> f64 {
    m.weight_norms.iter().map(|n| n * n).sum::<f64>().sqrt()
}

fn percent(v: f64) -> String {
    format!("{:.1}%", 100.0 * v)
}

/// The `/grokking` page.
#[component]
pub fn GrokkingLab() -> impl IntoView {
    let url = use_url_state::<GrokkingParams>();
    let state = url.state;
    let run = Run {
        points: RwSignal::new(Vec::new()),
        step: RwSignal::new(0),
        running: RwSignal::new(false),
        rate: RwSignal::new(0.0),
        error: RwSignal::new(None),
        ready: RwSignal::new(false),
        play_on_restart: RwSignal::new(false),
    };
    let config = Memo::new(move |_| state.with(|p| (p.config(), p.log_every, p.max_steps)));
    let configure = move || {
        let (config, log_every, max_steps) = config.get_untracked();
        ToWorker::Configure { config, log_every, max_steps: u64::from(max_steps) }
    };
    let send = worker_sender(run, configure);
    let invalid = Memo::new(move |_| config.with(|(c, _, _)| c.validate().err().map(|e| e.to_string())));
    // A running worker follows the settings; one not yet started is configured when it starts.
    Effect::new(move |_| {
        config.track();
        if run.ready.get() && invalid.with_untracked(Option::is_none) {
            send(configure());
        }
    });
    let speed = RwSignal::new(1000.0);
    Effect::new(move |_| {
        let steps_per_tick = speed.get() as u32;
        if run.ready.get() {
            send(ToWorker::Speed { steps_per_tick });
        }
    });
    let crossed = Memo::new(move |_| run.points.with(|p| collapse_step(p)));
    let marker = Signal::derive(move || crossed.get().map(|s| s as f64));
    let latest = Memo::new(move |_| run.points.with(|p| p.last().copied()));
    let show = move |f: fn(&Metrics) -> String| Signal::derive(move || latest.get().map_or("—".into(), |m| f(&m)));
    let choose_preset = move |i: usize| {
        run.play_on_restart.set(true);
        state.update(|p| *p = p.with_preset(&PRESETS[i]));
        // The same configuration again does not restart the run by itself.
        send(ToWorker::Reset);
    };
    let onset = Memo::new(move |_| state.with(|p| collapse_gap(p.competitors, p.order.0)));
    let series = Memo::new(move |_| state.with(curves));
    let collapse_canvas = NodeRef::<Canvas>::new();

    view! {
        <LabFrame title=META.title description=META.description notices=url.notices>
            <section class="panel wide presets" aria-label="Presets">
                <h2>"Presets"</h2>
                <div class="preset-row">
                    {PRESETS.iter().enumerate().map(|(i, preset)| view! {
                        <button type="button" class="button secondary" data-preset=preset.slug title=preset.watch on:click=move |_| choose_preset(i)>
                            {preset.label}
                        </button>
                    }).collect::<Vec<_>>()}
                </div>
                <p class="hint">"Each preset starts a run of "<i>"a + b mod 31"</i>" (80% of the pairs for training, width 128, AdamW, ε = 10"<sup>"−25"</sup>") that shows one finding of the paper; hover a preset for what to watch."</p>
            </section>
            <div class="lab-grid">
                <section class="panel controls" aria-label="Training settings">
                    <h2>"Run"</h2>
                    <div class="run-controls">
                        <button type="button" class="button" data-testid="play"
                            disabled=move || invalid.with(Option::is_some)
                            on:click=move |_| send(if run.running.get_untracked() { ToWorker::Pause } else { ToWorker::Play })>
                            {move || if run.running.get() { "Pause" } else { "Play" }}
                        </button>
                        <button type="button" class="button secondary" data-testid="step"
                            disabled=move || run.running.get() || invalid.with(Option::is_some)
                            on:click=move |_| send(ToWorker::Step)>"Step"</button>
                        <button type="button" class="button secondary" data-testid="reset"
                            disabled=move || !run.ready.get()
                            on:click=move |_| send(ToWorker::Reset)>"Reset"</button>
                    </div>
                    <LogSlider label="Speed (steps per tick)" key="speed" min=1.0 max=1000.0
                        value=Signal::derive(move || speed.get()) on_change=move |v| speed.set(v)
                        describe=|v| format!("{v} steps per tick") whole=true/>
                    <div class="readouts" data-testid="run-readouts">
                        <Readout label="step" value=Signal::derive(move || run.step.get().to_string())/>
                        <Readout label="steps / s" value=Signal::derive(move || format!("{:.0}", run.rate.get()))/>
                        <Readout label="train accuracy" value=show(|m| percent(m.train.train_acc))/>
                        <Readout label="test accuracy" value=show(|m| percent(m.test_acc))/>
                        <Readout label="Softmax Collapse" value=show(|m| percent(m.train.collapse))/>
                        <Readout label="exactly-zero losses" value=show(|m| percent(m.train.zero_loss))/>
                        <Readout label="collapse > 50% at step" value=Signal::derive(move || crossed.get().map_or("—".into(), |s| s.to_string()))/>
                    </div>
                    <p class="status" data-testid="step-counter" aria-live="off">{move || run.step.get()}</p>
                    {move || run.error.get().or_else(|| invalid.get()).map(|e| view! { <p class="field-error" role="alert" data-testid="run-error">{e}</p> })}
                    <h2>"Task and model"</h2>
                    <ChoiceSelect label="Task" key="task" value=Signal::derive(move || state.with(|p| p.task.0))
                        on_change=move |t: Task| state.update(|p| p.task = Chosen(t))/>
                    <Slider label="Modulus p" key="p" min=3.0 max=113.0 step=1.0
                        value=Signal::derive(move || f64::from(state.with(|p| p.p)))
                        on_change=move |v| state.update(|p| p.p = v as u32) describe=|v| format!("modulus {v}")/>
                    <Slider label="Train fraction" key="train_fraction" min=0.05 max=0.95 step=0.05
                        value=Signal::derive(move || state.with(|p| p.train_fraction))
                        on_change=move |v| state.update(|p| p.train_fraction = v) describe=|v| format!("train fraction {v:.2}")/>
                    <LogSlider label="Hidden width" key="width" min=8.0 max=512.0
                        value=Signal::derive(move || f64::from(state.with(|p| p.width)))
                        on_change=move |v| state.update(|p| p.width = v as u32) describe=|v| format!("width {v}") whole=true/>
                    <ChoiceSelect label="Loss" key="loss" value=Signal::derive(move || state.with(|p| p.loss.0))
                        on_change=move |l: LossKind| state.update(|p| p.loss = Chosen(l))/>
                    <ChoiceSelect label="Softmax precision" key="precision" value=Signal::derive(move || state.with(|p| p.precision.0))
                        on_change=move |v: Precision| state.update(|p| p.precision = Chosen(v))/>
                    <SeedInput value=Signal::derive(move || state.with(|p| p.seed)) on_change=move |s| state.update(|p| p.seed = s)/>
                    <h2>"Optimiser"</h2>
                    <ChoiceSelect label="Optimiser" key="optimiser" value=Signal::derive(move || state.with(|p| p.optimiser.0))
                        on_change=move |o: OptimiserKind| state.update(|p| p.optimiser = Chosen(o))/>
                    <LogSlider label="Learning rate" key="lr" min=1e-5 max=10.0
                        value=Signal::derive(move || state.with(|p| p.lr))
                        on_change=move |v| state.update(|p| p.lr = v) describe=|v| format!("learning rate {v}")/>
                    <Slider label="Weight decay" key="weight_decay" min=0.0 max=5.0 step=0.05
                        value=Signal::derive(move || state.with(|p| p.weight_decay))
                        on_change=move |v| state.update(|p| p.weight_decay = v) describe=|v| format!("weight decay {v:.2}")/>
                    <Slider label="β₁ (SGD: momentum)" key="beta1" min=0.0 max=0.99 step=0.01
                        value=Signal::derive(move || state.with(|p| p.beta1))
                        on_change=move |v| state.update(|p| p.beta1 = v) describe=|v| format!("beta one {v:.2}")/>
                    <Slider label="β₂" key="beta2" min=0.9 max=0.9999 step=0.0001
                        value=Signal::derive(move || state.with(|p| p.beta2))
                        on_change=move |v| state.update(|p| p.beta2 = v) describe=|v| format!("beta two {v:.4}")/>
                    <LogSlider label="Adam ε" key="eps" min=1e-30 max=1e-3
                        value=Signal::derive(move || state.with(|p| p.eps))
                        on_change=move |v| state.update(|p| p.eps = v) describe=|v| format!("epsilon {v:e}")/>
                    <label class="check">
                        <input type="checkbox" data-key="ortho" prop:checked=move || state.with(|p| p.ortho)
                            on:change=move |ev| state.update(|p| p.ortho = event_target_checked(&ev))/>
                        "⊥Grad: project each gradient orthogonal to its weights"
                    </label>
                    <Slider label="Log test metrics every" key="log_every" min=1.0 max=100.0 step=1.0
                        value=Signal::derive(move || f64::from(state.with(|p| p.log_every)))
                        on_change=move |v| state.update(|p| p.log_every = v as u32) describe=|v| format!("every {v} steps")/>
                    <LogSlider label="Last step" key="max_steps" min=10.0 max=100000.0
                        value=Signal::derive(move || f64::from(state.with(|p| p.max_steps)))
                        on_change=move |v| state.update(|p| p.max_steps = v as u32) describe=|v| format!("stop at step {v}") whole=true/>
                </section>
                <section class="panel figure" aria-label="Training curves">
                    <div class="panel-head">
                        <h2>"Training curves"</h2>
                        <TextDownload label="Run (CSV)" file_name="softscope-grokking-run.csv" mime="text/csv"
                            contents=move || run.points.with(|p| run_csv(p))/>
                        <TextDownload label="Run (JSON)" file_name="softscope-grokking-run.json" mime="application/json"
                            contents=move || run.points.with(|p| run_json(&state.with_untracked(|s| s.config()), p))/>
                    </div>
                    <div class="run-charts">
                        <RunChart name="grokking-accuracy" title="Accuracy" y_desc="accuracy" y_range=unit_range
                            label="Line chart of train and test accuracy against the step."
                            curves=&[("train", |m| m.train.train_acc), ("test", |m| m.test_acc)]
                            points=run.points marker/>
                        <RunChart name="grokking-loss" title="Loss (log10; exact zeros at −12)" y_desc="log10 loss" y_range=log_loss_range
                            label="Line chart of log10 of the train and test loss against the step."
                            curves=&[("train", |m| log_loss(m.train.train_loss)), ("test", |m| log_loss(m.test_loss))]
                            points=run.points marker/>
                        <RunChart name="grokking-collapse-fraction" title="Softmax Collapse" y_desc="share of train samples" y_range=unit_range
                            label="Line chart of the share of training samples in Softmax Collapse and with exactly zero loss; a dashed rule marks where collapse passes 50%."
                            curves=&[("Σexp = 1 exactly", |m| m.train.collapse), ("loss = 0 exactly", |m| m.train.zero_loss)]
                            points=run.points marker/>
                        <RunChart name="grokking-norms" title="Norms (log10)" y_desc="log10 L2 norm" y_range=log_norm_range
                            label="Line chart of log10 of the weights' L2 norm and of the mean logit norm against the step."
                            curves=&[("weights ‖θ‖", |m| total_norm(m).log10()), ("mean logit ‖z‖", |m| m.train.logit_norm.log10())]
                            points=run.points marker/>
                    </div>
                    <div class="explain">
                        <p>
                            <b>"Softmax Collapse (SC)."</b>" With the maximum subtracted, a sample's loss is ln(1 + Σ"<sub>"k≠c"</sub>" e"<sup>"−g"<sub>"k"</sub></sup>"), g"<sub>"k"</sub>" = z"<sub>"c"</sub>" − z"<sub>"k"</sub>". Once every e"<sup>"−g"<sub>"k"</sub></sup>" is below half an ULP of 1, the sum rounds to exactly 1: the loss and the correct class's gradient are exactly 0 and learning stops for that sample. The lab counts those samples in the chosen precision (f16 from g ≈ 7.6, f32 from g ≈ 16.6, f64 from g ≈ 36.7)."
                        </p>
                        <p>
                            <b>"Naïve loss minimisation (NLM)."</b>" This MLP has no biases, so its logits are homogeneous of degree 3 in the weights: scaling θ by α scales every logit by α³. Once the training set is fitted, the cheapest way to lower the loss is to grow ‖θ‖ along θ itself; the logits grow, nothing new is learned, and the run drifts into collapse (watch the norms chart)."
                        </p>
                        <p>
                            <b>"StableMax"</b>" replaces exp by s(x) = x + 1 for x ≥ 0 and 1/(1 − x) below: it grows only linearly, so its cross-entropy does not round to zero at these margins. "
                            <b>"⊥Grad"</b>" removes from each weight tensor's gradient its component along the weights, g"<sub>"⊥"</sub>" = g − (w·g / w·w)·w, rescaled to ‖g‖: the NLM direction is gone. Weight decay and higher precision are the classic cures (Prieto et al., ICLR 2025, arXiv:2501.04697)."
                        </p>
                    </div>
                    <RecordedResults/>
                </section>
            </div>
            <div class="lab-grid">
                <section class="panel controls" aria-label="One-sample collapse settings">
                    <h2>"One sample"</h2>
                    <Slider
                        label="Wrong classes k"
                        key="competitors"
                        min=1.0
                        max=112.0
                        step=1.0
                        value=Signal::derive(move || f64::from(state.with(|p| p.competitors)))
                        on_change=move |k| state.update(|p| p.competitors = k as u32)
                        describe=|k| format!("{k} wrong classes")
                    />
                    <ChoiceSelect
                        label="Summation order"
                        key="order"
                        value=Signal::derive(move || state.with(|p| p.order.0))
                        on_change=move |o: SumOrder| state.update(|p| p.order = Chosen(o))
                    />
                    <div class="readouts" data-testid="collapse-readouts">
                        <Readout
                            label="float32 loss is exactly 0 from gap"
                            value=Signal::derive(move || onset.get().map_or("beyond 40".into(), |g| format!("{g:.2}")))
                        />
                        <Readout
                            label="float64 loss at that gap"
                            value=Signal::derive(move || {
                                let k = state.with(|p| p.competitors);
                                onset.get().map_or("—".into(), |g| format_number(loss_f64(f64::from(g), k)))
                            })
                        />
                    </div>
                </section>
                <section class="panel figure" aria-label="Loss against logit gap">
                    <div class="panel-head">
                        <h2>"Cross-entropy against the logit gap g"</h2>
                        <PngButton canvas=collapse_canvas file_name="grokking-collapse.png"/>
                        <TextDownload label="Curve (CSV)" file_name="softscope-grokking-collapse.csv" mime="text/csv"
                            contents=move || state.with(|p| model::collapse_csv(p.competitors, p.order.0))/>
                    </div>
                    <Canvas2d
                        name="grokking-collapse"
                        label="Line chart of log10 loss against the logit gap: the float64 loss keeps falling, the float32 loss drops to exactly zero at the collapse gap, marked by a dashed rule."
                        height_px=280
                        node_ref=collapse_canvas
                        draw=move |canvas, theme| {
                            let marker = onset.get().map(f64::from);
                            series.with(|(f32_curve, f64_curve)| {
                                let lines = [
                                    Series { label: "float64", points: f64_curve, color: 0 },
                                    Series { label: "float32 (0 drawn at 1e-12)", points: f32_curve, color: 4 },
                                ];
                                plot(canvas, |area| {
                                    line_chart(area, &lines, 0.0..25.0, -12.5..0.5, "gap g", "log10 loss", marker, &theme)
                                });
                            })
                        }
                    />
                    <p class="explain">
                        "The loss of the correct class is ln(1 + k·e"<sup>"−g"</sup>"). In float32 the sum \
                        1 + k·e"<sup>"−g"</sup>" rounds to exactly 1 once the small terms fall below half an ULP \
                        of 1 (2"<sup>"−24"</sup>"), so the loss and its gradient are exactly zero: Softmax Collapse. \
                        Adding the small terms first delays it."
                    </p>
                </section>
            </div>
        </LabFrame>
    }
}

/// The results of the presets, recorded from real runs (see the README for how they were made).
#[component]
fn RecordedResults() -> impl IntoView {
    view! {
        <div class="table-wrap">
            <table class="data" data-testid="grokking-results">
                <caption>"Recorded runs of the presets: deterministic, so a preset gives these numbers in any browser. StableMax's logits pass the softmax collapse test early, but its own loss never rounds to zero and it keeps learning."</caption>
                <thead><tr><th>"preset"</th><th class="num">"steps"</th><th class="num">"Σexp = 1 for > 50% at step"</th><th class="num">"train acc."</th><th class="num">"test acc."</th></tr></thead>
                <tbody>
                    {model::RECORDED.iter().map(|r| view! {
                        <tr>
                            <td>{r.preset}</td>
                            <td class="num">{r.steps}</td>
                            <td class="num">{r.collapse_step.map_or("never".to_string(), |s| s.to_string())}</td>
                            <td class="num">{percent(r.train_acc)}</td>
                            <td class="num">{percent(r.test_acc)}</td>
                        </tr>
                    }).collect::<Vec<_>>()}
                </tbody>
            </table>
        </div>
    }
}

/// The landing card's live figure: float32 against float64 loss as the gap grows.
#[component]
pub fn Thumbnail() -> impl IntoView {
    let (f32_curve, f64_curve) = curves(&GrokkingParams::default());
    view! {
        <Canvas2d
            name="thumbnail-grokking"
            label="Float32 loss drops to exactly zero while float64 loss keeps falling."
            height_px=120
            compact=true
            draw=move |canvas, theme| {
                let lines = [
                    Series { label: "float64", points: &f64_curve, color: 0 },
                    Series { label: "float32", points: &f32_curve, color: 4 },
                ];
                plot(canvas, |area| line_chart(area, &lines, 0.0..25.0, -12.5..0.5, "", "", None, &theme));
            }
        />
    }
}
