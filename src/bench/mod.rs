//! The in-browser benchmark page (`/bench`): interleaved A/B samples of the kernels, timed with
//! `performance.now()` in a cross-origin isolated page, summarised as medians and ratios.

pub mod stats;

use crate::ui::format_number;
use gloo_timers::future::TimeoutFuture;
use leptos::prelude::*;
use leptos::task::spawn_local;
use softscope_kernels::attention::{scores as attention_scores, scores_scalar as attention_scores_scalar};
use softscope_kernels::exp::{exp_neg, exp_neg_scalar_slice};
use softscope_kernels::gemm::{gemm, Lhs};
use softscope_kernels::grok::{Config as GrokConfig, OptimiserKind, Trainer, BLOCK};
use softscope_kernels::nms::{clustered_scene, soft_nms, soft_nms_scalar, Convention, NmsParams, NmsWorkspace};
use softscope_kernels::rng::SplitMix64;
use softscope_kernels::softmax::{exp_store_sum, softmax, softmax_rows, softmax_scalar, Algorithm};
use stats::{median, BenchEnv, BenchReport, BenchResult};
use std::collections::BTreeMap;
use std::hint::black_box;

/// Interleaved samples per case, and the least duration of one (the bars of the foundation issue).
const SAMPLES: usize = 21;
const MIN_SAMPLE_MS: f64 = 10.0;

/// `window.crossOriginIsolated`: true only with COOP/COEP headers, which the 5 µs timers need.
fn cross_origin_isolated() -> bool {
    js_sys::Reflect::get(&window(), &"crossOriginIsolated".into()).is_ok_and(|v| v.is_truthy())
}

fn now_ms() -> f64 {
    window().performance().map_or(0.0, |p| p.now())
}

/// The smallest non-zero step of the clock: ~5 µs when cross-origin isolated, ~100 µs otherwise.
fn timer_resolution_us() -> f64 {
    let steps: Vec<f64> = (0..20)
        .map(|_| {
            let start = now_ms();
            let mut next = now_ms();
            while next == start {
                next = now_ms();
            }
            (next - start) * 1e3
        })
        .collect();
    median(&steps)
}

/// Calls per sample so that one sample lasts at least [`MIN_SAMPLE_MS`].
fn calibrate(run: &mut dyn FnMut()) -> u32 {
    let mut calls = 1u32;
    loop {
        let start = now_ms();
        for _ in 0..calls {
            run();
        }
        if now_ms() - start >= MIN_SAMPLE_MS || calls >= 1 << 24 {
            return calls;
        }
        calls *= 2;
    }
}

/// One sample: ns per call.
fn sample(run: &mut dyn FnMut(), calls: u32) -> f64 {
    let start = now_ms();
    for _ in 0..calls {
        run();
    }
    (now_ms() - start) * 1e6 / f64::from(calls)
}

/// A benchmark case: a name and a closure that does the work once.
struct Contender<'a> {
    implementation: &'static str,
    run: Box<dyn FnMut() + 'a>,
}

/// Measures contenders interleaved (A, B, A, B, …) so that drift in clock speed or load hits all of them alike.
async fn interleaved(suite: &str, case: &str, size: usize, contenders: &mut [Contender<'_>]) -> Vec<BenchResult> {
    let calls: Vec<u32> = contenders.iter_mut().map(|c| calibrate(&mut c.run)).collect();
    let mut samples = vec![Vec::with_capacity(SAMPLES); contenders.len()];
    for _ in 0..SAMPLES {
        for (i, c) in contenders.iter_mut().enumerate() {
            samples[i].push(sample(&mut c.run, calls[i]));
        }
        // Let the page paint between rounds.
        TimeoutFuture::new(0).await;
    }
    contenders
        .iter()
        .zip(&samples)
        .map(|(c, s)| BenchResult::from_samples(suite, case, c.implementation, size, s))
        .collect()
}

/// Runs every case and returns the report; `progress` hears what runs now.
async fn run_all(progress: impl Fn(String)) -> BenchReport {
    let mut results = Vec::new();
    let mut ratios = BTreeMap::new();

    progress("exp: SIMD128 against the scalar twin, n = 4096".into());
    let n = 4096;
    let mut rng = SplitMix64::new(1);
    let input: Vec<f32> = (0..n).map(|_| rng.uniform(-87.0, 0.0) as f32).collect();
    let mut out_simd = vec![0.0f32; n];
    let mut out_scalar = vec![0.0f32; n];
    let exp_results = interleaved(
        "exp",
        "n4096",
        n,
        &mut [
            Contender {
                implementation: "simd128",
                run: Box::new(|| {
                    let _ = exp_neg(black_box(&input), &mut out_simd);
                    black_box(&out_simd);
                }),
            },
            Contender {
                implementation: "scalar",
                run: Box::new(|| {
                    let _ = exp_neg_scalar_slice(black_box(&input), &mut out_scalar);
                    black_box(&out_scalar);
                }),
            },
        ],
    )
    .await;
    ratios.insert("exp.simd_over_scalar".into(), exp_results[1].median_ns / exp_results[0].median_ns);
    results.extend(exp_results);

    progress("copy: 64 MiB memory-copy probe".into());
    let (copy, gbps) = copy_probe(64).await;
    ratios.insert("copy.gbps".into(), gbps);
    results.push(copy);

    for (n, per_object) in [(1000, 20), (10_000, 200)] {
        // About 50 objects with jittered boxes and uniform scores, as the Soft-NMS issue specifies.
        let boxes = clustered_scene(50, per_object, 1280.0, 720.0, 1);
        for (convention, suite, params) in [
            (Convention::Paper, "nms.gaussian", NmsParams::default()),
            (
                Convention::TensorFlow,
                "nms.gaussian_tf",
                NmsParams {
                    convention: Convention::TensorFlow,
                    sigma: 0.25,
                    iou_threshold: 1.0,
                    ..NmsParams::default()
                },
            ),
        ] {
            progress(format!("Soft-NMS: Gaussian, {convention:?} convention, {n} clustered boxes"));
            let (mut ws_simd, mut ws_scalar) = (NmsWorkspace::default(), NmsWorkspace::default());
            let case = format!("n{n}");
            let nms_results = interleaved(
                suite,
                &case,
                n,
                &mut [
                    Contender {
                        implementation: "simd128",
                        run: Box::new(|| {
                            black_box(soft_nms(black_box(&boxes), &params, &mut ws_simd).ok());
                        }),
                    },
                    Contender {
                        implementation: "scalar",
                        run: Box::new(|| {
                            black_box(soft_nms_scalar(black_box(&boxes), &params, &mut ws_scalar).ok());
                        }),
                    },
                ],
            )
            .await;
            ratios.insert(format!("{suite}.{case}_ms"), nms_results[0].median_ns / 1e6);
            ratios.insert(
                format!("{suite}.simd_over_scalar.{case}"),
                nms_results[1].median_ns / nms_results[0].median_ns,
            );
            results.extend(nms_results);
        }
    }

    softmax_suite(&mut results, &mut ratios, &progress).await;

    progress("attention: QKᵀ/√d, 512 × 512 × 64".into());
    let (m, n, d) = (512usize, 512usize, 64usize);
    let q = seeded_logits(m * d, 21);
    let k = seeded_logits(n * d, 22);
    let (mut s_simd, mut s_scalar) = (vec![0.0f32; m * n], vec![0.0f32; m * n]);
    let qk = interleaved(
        "attention.qk",
        "512x512x64",
        m * n,
        &mut [
            Contender {
                implementation: "simd128",
                run: Box::new(|| {
                    let _ = attention_scores(black_box(&q), black_box(&k), d, &mut s_simd);
                    black_box(&s_simd);
                }),
            },
            Contender {
                implementation: "scalar",
                run: Box::new(|| {
                    let _ = attention_scores_scalar(black_box(&q), black_box(&k), d, &mut s_scalar);
                    black_box(&s_scalar);
                }),
            },
        ],
    )
    .await;
    ratios.insert("attention.qk.simd_over_scalar".into(), qk[1].median_ns / qk[0].median_ns);
    ratios.insert("attention.qk.gflops".into(), 2.0 * (m * n * d) as f64 / qk[0].median_ns);
    results.extend(qk);

    grok_suite(&mut results, &mut ratios, &progress).await;

    let navigator = window().navigator();
    BenchReport {
        env: BenchEnv {
            browser: navigator.user_agent().unwrap_or_default(),
            cores: navigator.hardware_concurrency() as u32,
            cross_origin_isolated: cross_origin_isolated(),
            timer_resolution_us: timer_resolution_us(),
            samples: SAMPLES,
            min_sample_ms: MIN_SAMPLE_MS,
        },
        results,
        ratios,
    }
}

/// One full-batch training step of the paper's size against the matrix products it contains, interleaved.
async fn grok_suite(results: &mut Vec<BenchResult>, ratios: &mut BTreeMap<String, f64>, progress: &impl Fn(String)) {
    progress("grokking: one full-batch Adam step at p = 113, width 200, 5 107 samples, against its GEMMs".into());
    let config = GrokConfig { optimiser: OptimiserKind::Adam, ..GrokConfig::default() };
    let Ok(mut trainer) = Trainer::new(&config) else { return };
    let flops = trainer.flops_per_step();
    let (w, p, samples) = (config.width as usize, config.p as usize, config.train_count());
    let buffer = |len: usize, seed: u64| seeded_logits(len, seed);
    let (h, dz) = (buffer(BLOCK * w, 31), buffer(BLOCK * p, 32));
    let (w2, w3, w3t) = (buffer(w * w, 33), buffer(w * p, 34), buffer(p * w, 35));
    let mut out = vec![0.0f32; BLOCK * w.max(p)];
    let mut out_w = vec![0.0f32; w * w.max(p)];
    let step = interleaved(
        "grok",
        "p113_w200_full_batch",
        samples,
        &mut [
            Contender {
                implementation: "train step",
                run: Box::new(|| {
                    let _ = black_box(trainer.train_step());
                }),
            },
            Contender {
                implementation: "its GEMMs",
                run: Box::new(|| {
                    let mut start = 0;
                    while start < samples {
                        let b = BLOCK.min(samples - start);
                        let (h, dz) = (&h[..b * w], &dz[..b * p]);
                        // The six products of one block, with the trainer's shapes and layouts.
                        let _ = gemm(Lhs::rows(h, w), &w2, b, w, w, &mut out[..b * w]);
                        let _ = gemm(Lhs::rows(h, w), &w3, b, w, p, &mut out[..b * p]);
                        let _ = gemm(Lhs::transposed(h, w), dz, w, b, p, &mut out_w[..w * p]);
                        let _ = gemm(Lhs::rows(dz, p), &w3t, b, p, w, &mut out[..b * w]);
                        let _ = gemm(Lhs::transposed(h, w), h, w, b, w, &mut out_w[..w * w]);
                        let _ = gemm(Lhs::rows(h, w), &w2, b, w, w, &mut out[..b * w]);
                        black_box(&out);
                        start += b;
                    }
                }),
            },
        ],
    )
    .await;
    ratios.insert("grok.steps_per_s.p113".into(), 1e9 / step[0].median_ns);
    ratios.insert("grok.gemm_gflops".into(), flops / step[1].median_ns);
    ratios.insert("grok.efficiency".into(), step[1].median_ns / step[0].median_ns);
    results.extend(step);
}

fn algorithm_name(algorithm: Algorithm) -> &'static str {
    match algorithm {
        Algorithm::ThreePassReload => "reload",
        Algorithm::ThreePassRecompute => "recompute",
        Algorithm::Online => "online",
        Algorithm::TwoPass => "two_pass",
    }
}

fn seeded_logits(n: usize, seed: u64) -> Vec<f32> {
    let mut rng = SplitMix64::new(seed);
    (0..n).map(|_| (4.0 * rng.normal()) as f32).collect()
}

/// Softmax: every algorithm, SIMD128 against its scalar twin, by size; the bare exp pass; the matrix roof.
async fn softmax_suite(results: &mut Vec<BenchResult>, ratios: &mut BTreeMap<String, f64>, progress: &impl Fn(String)) {
    for n in [113, 1024, 4096, 65_536, 1 << 20] {
        let x = seeded_logits(n, n as u64);
        let (mut y_simd, mut y_scalar) = (vec![0.0f32; n], vec![0.0f32; n]);
        for algorithm in Algorithm::ALL {
            let name = algorithm_name(algorithm);
            progress(format!("softmax: {name}, n = {n}"));
            let case = format!("n{n}");
            let pair = interleaved(
                &format!("softmax.{name}"),
                &case,
                n,
                &mut [
                    Contender {
                        implementation: "simd128",
                        run: Box::new(|| {
                            let _ = softmax(black_box(&x), &mut y_simd, algorithm);
                            black_box(&y_simd);
                        }),
                    },
                    Contender {
                        implementation: "scalar",
                        run: Box::new(|| {
                            let _ = softmax_scalar(black_box(&x), &mut y_scalar, algorithm);
                            black_box(&y_scalar);
                        }),
                    },
                ],
            )
            .await;
            ratios.insert(format!("softmax.{name}.simd_over_scalar.{case}"), pair[1].median_ns / pair[0].median_ns);
            if algorithm == Algorithm::ThreePassReload && n == 4096 {
                ratios.insert("softmax.simd_over_scalar.n4096".into(), pair[1].median_ns / pair[0].median_ns);
                // The denominator: the bare exp-store-sum pass over the same row, measured right here.
                progress("softmax: bare exp + sum + store pass, n = 4096".into());
                let max = x.iter().copied().fold(f32::NEG_INFINITY, f32::max);
                let mut y = vec![0.0f32; n];
                let (mut y_full, x_full) = (vec![0.0f32; n], x.clone());
                let pass = interleaved(
                    "softmax.exp_pass",
                    &case,
                    n,
                    &mut [
                        Contender {
                            implementation: "simd128",
                            run: Box::new(|| {
                                black_box(exp_store_sum(black_box(&x), max, &mut y).ok());
                            }),
                        },
                        Contender {
                            implementation: "reload (again, interleaved)",
                            run: Box::new(|| {
                                let _ = softmax(black_box(&x_full), &mut y_full, Algorithm::ThreePassReload);
                                black_box(&y_full);
                            }),
                        },
                    ],
                )
                .await;
                ratios.insert("softmax.full_over_exp_pass.n4096".into(), pass[1].median_ns / pass[0].median_ns);
                results.extend(pass);
            }
            results.extend(pair);
        }
    }

    // Row-wise over matrices. For 4096 × 4096 the roof is the lower of the copy probe (8 bytes per element) and
    // the bare exp pass on one row, measured interleaved with the matrix so that drift hits all three alike.
    for (rows, cols) in [(256usize, 4096usize), (4096, 4096)] {
        progress(format!("softmax: row-wise {rows}×{cols}"));
        let x = seeded_logits(rows * cols, 5);
        let mut y = vec![0.0f32; rows * cols];
        let case = format!("{rows}x{cols}");
        let row = seeded_logits(cols, 6);
        let row_max = row.iter().copied().fold(f32::NEG_INFINITY, f32::max);
        let mut row_out = vec![0.0f32; cols];
        let copy_elements = (64 << 20) / 4;
        let (source, mut destination) = (vec![1.0f32; copy_elements], vec![0.0f32; copy_elements]);
        let mut contenders = vec![Contender {
            implementation: "simd128",
            run: Box::new(|| {
                let _ = softmax_rows(black_box(&x), &mut y, cols, Algorithm::ThreePassReload);
                black_box(&y);
            }),
        }];
        if rows == 4096 {
            contenders.push(Contender {
                implementation: "exp pass, one row (roof)",
                run: Box::new(|| {
                    black_box(exp_store_sum(black_box(&row), row_max, &mut row_out).ok());
                }),
            });
            contenders.push(Contender {
                implementation: "copy 64 MiB (roof)",
                run: Box::new(|| {
                    destination.copy_from_slice(black_box(&source));
                    black_box(&destination);
                }),
            });
        }
        let matrix = interleaved("softmax.rows", &case, rows * cols, &mut contenders).await;
        if let [m, exp_pass, copy] = &matrix[..] {
            let exp_rate = cols as f64 / (exp_pass.median_ns * 1e-9);
            // One copied element is 8 bytes of traffic (read + write), as one softmax element at least is.
            let copy_rate = copy_elements as f64 / (copy.median_ns * 1e-9);
            let roof = copy_rate.min(exp_rate);
            ratios.insert("softmax.matrix4096_over_roof".into(), m.elements_per_s / roof);
        }
        results.push(matrix[0].clone());
    }

    // Out of cache, the paper's claim: two-pass against three-pass on one 16M-element row.
    progress("softmax: two-pass against three-pass, 16M elements".into());
    let n = 16 << 20;
    let x = seeded_logits(n, 16);
    let (mut y_two, mut y_three) = (vec![0.0f32; n], vec![0.0f32; n]);
    let big = interleaved(
        "softmax.out_of_cache",
        "n16M",
        n,
        &mut [
            Contender {
                implementation: "two_pass",
                run: Box::new(|| {
                    let _ = softmax(black_box(&x), &mut y_two, Algorithm::TwoPass);
                    black_box(&y_two);
                }),
            },
            Contender {
                implementation: "reload",
                run: Box::new(|| {
                    let _ = softmax(black_box(&x), &mut y_three, Algorithm::ThreePassReload);
                    black_box(&y_three);
                }),
            },
        ],
    )
    .await;
    ratios.insert("softmax.two_pass_over_reload.n16M".into(), big[1].median_ns / big[0].median_ns);
    results.extend(big);
}

/// What the softmax lab's "Benchmark in this browser" button reports.
#[derive(Debug, Clone, PartialEq)]
pub struct QuickSoftmax {
    /// Per algorithm: (algorithm, SIMD128 result, scalar result).
    pub rows: Vec<(Algorithm, BenchResult, BenchResult)>,
    /// The memory-copy probe over 16 MiB, GB/s read + write.
    pub copy_gbps: f64,
    /// Whether timers were at full resolution.
    pub isolated: bool,
}

/// A shorter run for the softmax lab: every algorithm at n = 65 536, SIMD128 against scalar, and a copy probe.
pub async fn quick_softmax(progress: impl Fn(String)) -> QuickSoftmax {
    let n = 65_536;
    let x = seeded_logits(n, 3);
    let mut rows = Vec::new();
    for algorithm in Algorithm::ALL {
        progress(format!("{}: SIMD128 against scalar", algorithm_name(algorithm)));
        let (mut a, mut b) = (vec![0.0f32; n], vec![0.0f32; n]);
        let pair = interleaved(
            algorithm_name(algorithm),
            "n65536",
            n,
            &mut [
                Contender {
                    implementation: "simd128",
                    run: Box::new(|| {
                        let _ = softmax(black_box(&x), &mut a, algorithm);
                        black_box(&a);
                    }),
                },
                Contender {
                    implementation: "scalar",
                    run: Box::new(|| {
                        let _ = softmax_scalar(black_box(&x), &mut b, algorithm);
                        black_box(&b);
                    }),
                },
            ],
        )
        .await;
        rows.push((algorithm, pair[0].clone(), pair[1].clone()));
    }
    progress("memory-copy probe".into());
    let (_, copy_gbps) = copy_probe(16).await;
    QuickSoftmax { rows, copy_gbps, isolated: cross_origin_isolated() }
}

/// Copies `mebibytes` MiB between two buffers; returns the result and GB/s counting bytes read plus bytes
/// written, as memory-bandwidth figures are usually quoted.
async fn copy_probe(mebibytes: usize) -> (BenchResult, f64) {
    let elements = (mebibytes << 20) / 4;
    let (source, mut destination) = (vec![1.0f32; elements], vec![0.0f32; elements]);
    let mut copy = interleaved(
        "copy",
        &format!("{mebibytes}MiB"),
        elements,
        &mut [Contender {
            implementation: "copy_from_slice",
            run: Box::new(|| {
                destination.copy_from_slice(black_box(&source));
                black_box(&destination);
            }),
        }],
    )
    .await;
    let result = copy.remove(0);
    let gbps = 2.0 * (elements * 4) as f64 / result.median_ns;
    (result, gbps)
}

/// Publishes the report for the headless driver of `make bench`.
fn publish(report: &BenchReport) {
    if let Ok(json) = serde_json::to_string(report) {
        let _ = js_sys::Reflect::set(&window(), &"__softscopeBench".into(), &json.into());
    }
}

/// The `/bench` page: runs the kernels' benchmarks in this browser; `?autorun=1` starts at once.
#[component]
pub fn BenchPage() -> impl IntoView {
    let isolated = cross_origin_isolated();
    let status = RwSignal::new(String::new());
    let report = RwSignal::new(None::<BenchReport>);
    let running = RwSignal::new(false);
    let start = move || {
        if running.get_untracked() {
            return;
        }
        running.set(true);
        report.set(None);
        spawn_local(async move {
            let finished = run_all(move |s| status.set(s)).await;
            publish(&finished);
            status.set("Done.".into());
            report.set(Some(finished));
            running.set(false);
        });
    };
    if window().location().search().unwrap_or_default().contains("autorun=1") {
        start();
    }
    let rows = move || {
        report.with(|r| {
            r.iter()
                .flat_map(|r| r.results.iter())
                .map(|r| {
                    view! {
                        <tr>
                            <td>{r.suite.clone()}</td>
                            <td>{r.case.clone()}</td>
                            <td>{r.implementation.clone()}</td>
                            <td class="num">{format_number(r.median_ns / 1e3)}</td>
                            <td class="num">{format_number(r.mad_ns / 1e3)}</td>
                            <td class="num">{format_number(r.elements_per_s / 1e9)}</td>
                        </tr>
                    }
                })
                .collect::<Vec<_>>()
        })
    };
    let ratio_rows = move || {
        report.with(|r| {
            r.iter()
                .flat_map(|r| r.ratios.iter())
                .map(|(k, v)| view! { <tr><td>{k.clone()}</td><td class="num">{format_number(*v)}</td></tr> })
                .collect::<Vec<_>>()
        })
    };
    view! {
        <article class="lab">
            <header class="lab-header">
                <h1>"Benchmarks in this browser"</h1>
                <p class="lede">
                    "Runs Softscope's kernels here, on your machine: SIMD128 against the scalar twin, interleaved, "
                    {SAMPLES} " samples of at least " {MIN_SAMPLE_MS} " ms each, medians reported."
                </p>
            </header>
            <Show when=move || !isolated>
                <aside class="notice" role="status">
                    "This page is not cross-origin isolated, so the browser coarsens its timers. Numbers are still \
                    shown, but make bench refuses them; serve the app with COOP/COEP headers (make serve does)."
                </aside>
            </Show>
            <section class="panel">
                <button type="button" class="button" on:click=move |_| start() disabled=move || running.get()>
                    {move || if running.get() { "Running…" } else { "Run benchmarks" }}
                </button>
                <p class="status" role="status" data-testid="bench-status">{move || status.get()}</p>
                <Show when=move || report.with(Option::is_some)>
                    <div class="table-wrap"><table class="data">
                        <caption>"Time per call"</caption>
                        <thead><tr><th>"suite"</th><th>"case"</th><th>"impl"</th><th>"median µs"</th><th>"MAD µs"</th><th>"G elements/s"</th></tr></thead>
                        <tbody>{rows}</tbody>
                    </table></div>
                    <div class="table-wrap"><table class="data">
                        <caption>"Ratios and rates"</caption>
                        <tbody>{ratio_rows}</tbody>
                    </table></div>
                </Show>
            </section>
        </article>
    }
}
