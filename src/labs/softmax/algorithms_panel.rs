//! The algorithms panel: the passes of the chosen algorithm over a small row, step by step, with their memory
//! traffic, and a benchmark of the kernels in the reader's own browser.

use super::model::{passes, SoftmaxParams};
use crate::bench::{quick_softmax, QuickSoftmax};
use crate::hooks::use_player;
use crate::ui::{format_number, ChoiceSelect, Slider};
use crate::url_state::{Choice, Chosen};
use leptos::prelude::*;
use leptos::task::spawn_local;
use softscope_kernels::softmax::Algorithm;

/// The algorithms panel.
#[component]
pub fn AlgorithmsPanel(state: RwSignal<SoftmaxParams>, logits: Memo<Vec<f32>>) -> impl IntoView {
    let algorithm = Memo::new(move |_| state.with(|p| p.algorithm.0));
    let trace = Memo::new(move |_| logits.with(|x| passes(algorithm.get(), x, state.with(|p| p.temperature))));
    let shown = Memo::new(move |_| logits.with(|x| x.len().min(8)));
    // How many elements of the small row have been processed, across all passes.
    let step = RwSignal::new(usize::MAX);
    let total = Memo::new(move |_| trace.with(|t| t.len()) * shown.get());
    let player = use_player(350, move || {
        let next = step.get_untracked().saturating_add(1);
        let more = next <= total.get_untracked();
        if more {
            step.set(next);
        }
        more
    });
    let stop = move || player.stop();
    let play = move |_| {
        if player.is_playing() {
            return stop();
        }
        step.set(0);
        player.start();
    };
    let bench = RwSignal::new(None::<QuickSoftmax>);
    let status = RwSignal::new(String::new());
    let running = RwSignal::new(false);
    let run = move |_| {
        if running.get_untracked() {
            return;
        }
        running.set(true);
        spawn_local(async move {
            let report = quick_softmax(move |s| status.set(format!("Measuring {s}…"))).await;
            status.set(if report.isolated {
                "Done: medians of 21 interleaved samples.".into()
            } else {
                "Done, but this page is not cross-origin isolated, so timers are coarse.".into()
            });
            bench.set(Some(report));
            running.set(false);
        });
    };
    view! {
        <section class="panel wide" aria-label="Algorithms">
            <h2>"Algorithms: how the passes go"</h2>
            <div class="inline-controls">
                <ChoiceSelect
                    label="Algorithm"
                    key="algorithm"
                    value=Signal::derive(move || algorithm.get())
                    on_change=move |a: Algorithm| {
                        stop();
                        step.set(usize::MAX);
                        state.update(|p| p.algorithm = Chosen(a));
                    }
                />
                <Slider
                    label="Progress"
                    key="pass-step"
                    min=0.0
                    max=24.0
                    step=1.0
                    value=Signal::derive(move || step.get().min(total.get()) as f64)
                    on_change=move |v| {
                        stop();
                        step.set((v as usize).min(total.get_untracked()));
                    }
                    describe=move |v| format!("{v} of the passes' element steps")
                />
                <button type="button" class="button secondary play-passes" data-testid="play-passes" on:click=play>
                    {move || if player.is_playing() { "Pause" } else { "Play the passes" }}
                </button>
            </div>
            <p class="hint">
                {move || {
                    let (reads, writes) = algorithm.get().traffic();
                    format!("{}: {reads} reads and {writes} writes of the row per element. Shown on the first {} logits / T.", algorithm.get().label(), shown.get())
                }}
            </p>
            <div class="passes">
                {move || {
                    let done = step.get().min(total.get());
                    let per_pass = shown.get();
                    trace.get().into_iter().enumerate().map(|(k, pass)| {
                        let visible = done.saturating_sub(k * per_pass).min(per_pass);
                        let active = visible > 0 && visible < per_pass;
                        view! {
                            <div class="pass" class:active=active>
                                <h3>{format!("Pass {}: {}", k + 1, pass.title)}</h3>
                                <p class="hint">{pass.traffic}</p>
                                <ol>
                                    {pass.states.into_iter().take(visible).map(|s| view! { <li>{s}</li> }).collect::<Vec<_>>()}
                                </ol>
                            </div>
                        }
                    }).collect::<Vec<_>>()
                }}
            </div>
            <h2>"Benchmark in this browser"</h2>
            <p class="hint">
                "Runs the SIMD128 kernels and their scalar twins on 65 536 logits here, interleaved, and a memory-copy \
                probe for the bandwidth ceiling. Takes a few seconds."
            </p>
            <button type="button" class="button" data-testid="run-benchmark" on:click=run disabled=move || running.get()>
                {move || if running.get() { "Measuring…" } else { "Benchmark in this browser" }}
            </button>
            <p class="status" role="status">{move || status.get()}</p>
            {move || bench.get().map(|b| {
                let rows = b.rows.iter().map(|(a, simd, scalar)| {
                    let (reads, writes) = a.traffic();
                    let gbps = simd.elements_per_s * f64::from(4 * (reads + writes)) / 1e9;
                    view! {
                        <tr>
                            <td>{a.label()}</td>
                            <td class="num">{format_number(simd.median_ns / simd.size as f64)}</td>
                            <td class="num">{format_number(scalar.median_ns / scalar.size as f64)}</td>
                            <td class="num">{format!("{:.1}×", scalar.median_ns / simd.median_ns)}</td>
                            <td class="num">{format_number(simd.elements_per_s / 1e9)}</td>
                            <td class="num">{format_number(gbps)}</td>
                        </tr>
                    }
                }).collect::<Vec<_>>();
                view! {
                    <div class="table-wrap">
                        <table class="data" data-testid="benchmark-table">
                            <caption>{format!("Memory-copy probe: {:.1} GB/s (read + write)", b.copy_gbps)}</caption>
                            <thead><tr><th>"algorithm"</th><th class="num">"SIMD ns/elem"</th><th class="num">"scalar ns/elem"</th><th class="num">"speed-up"</th><th class="num">"G elem/s"</th><th class="num">"GB/s moved"</th></tr></thead>
                            <tbody>{rows}</tbody>
                        </table>
                    </div>
                }
            })}
        </section>
    }
}
