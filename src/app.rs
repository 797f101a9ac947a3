//! The shell: header navigation generated from the lab registry, the routes, the landing page and the 404 page.

use crate::bench::BenchPage;
use crate::labs::LabId;
use leptos::prelude::*;
use leptos_router::components::{Route, Router, Routes, A};
use leptos_router::hooks::use_params_map;
use leptos_router::path;

/// The path the app is served under, from the `<base>` that Trunk writes: "" at the root, "/softscope" for
/// `trunk build --public-url /softscope/`.
fn base_path() -> String {
    let base = document().base_uri().ok().flatten().unwrap_or_default();
    let path = web_sys::Url::new(&base).map(|u| u.pathname()).unwrap_or_default();
    path.trim_end_matches('/').to_string()
}

/// An in-app link to `path` ("/" or "/slug"), under the base path: the router matches within the base but does
/// not prefix absolute links itself.
fn href(path: &str) -> String {
    format!("{}{path}", base_path())
}

/// The whole app.
#[component]
pub fn App() -> impl IntoView {
    view! {
        <Router base=base_path()>
            <a class="skip-link" href="#main">"Skip to content"</a>
            <header class="site-header">
                <A href=href("/") attr:class="brand">
                    <span class="brand-mark" aria-hidden="true">"σ"</span>
                    "Softscope"
                </A>
                <nav aria-label="Labs">
                    <ul>
                        {LabId::ALL
                            .into_iter()
                            .map(|lab| {
                                let meta = lab.meta();
                                view! { <li><A href=href(&format!("/{}", meta.slug))>{meta.title}</A></li> }
                            })
                            .collect::<Vec<_>>()}
                    </ul>
                </nav>
            </header>
            <main id="main">
                <Routes fallback=NotFound>
                    <Route path=path!("/") view=Landing/>
                    <Route path=path!("/bench") view=BenchPage/>
                    <Route path=path!("/:lab") view=LabRoute/>
                </Routes>
            </main>
            <footer class="site-footer">
                <p>
                    "Every number on these pages is computed in your browser by Rust kernels compiled to \
                    WebAssembly SIMD128. "
                    <A href=href("/bench")>"Benchmark them here"</A>
                    "."
                </p>
            </footer>
        </Router>
    }
}

fn set_title(title: &str) {
    document().set_title(&format!("{title} · Softscope"));
}

/// Resolves `/:lab` through the registry, so a lab without a page cannot exist.
#[component]
fn LabRoute() -> impl IntoView {
    let params = use_params_map();
    move || match LabId::from_slug(&params.read().get("lab").unwrap_or_default()) {
        Some(lab) => {
            set_title(lab.meta().title);
            lab.view()
        }
        None => NotFound().into_any(),
    }
}

/// The landing page: what Softscope is and one live card per lab.
#[component]
fn Landing() -> impl IntoView {
    set_title("See how softmax behaves");
    view! {
        <section class="hero">
            <h1>"See how softmax and its relatives behave."</h1>
            <p class="lede">
                "Drag a slider and watch attention get spiky, a loss collapse to exactly zero in float32, or \
                Soft-NMS rescore overlapping boxes. Every figure is computed live in your browser, and every \
                setting lives in the link, so what you see is what you share."
            </p>
        </section>
        <ul class="cards">
            {LabId::ALL
                .into_iter()
                .map(|lab| {
                    let meta = lab.meta();
                    view! {
                        <li class="card" data-lab=meta.slug>
                            <A href=href(&format!("/{}", meta.slug))>
                                <div class="card-figure">{lab.thumbnail()}</div>
                                <h2>{meta.title}</h2>
                                <p>{meta.summary}</p>
                            </A>
                        </li>
                    }
                })
                .collect::<Vec<_>>()}
        </ul>
    }
}

/// The page for any path that is not a lab.
#[component]
fn NotFound() -> impl IntoView {
    set_title("Page not found");
    view! {
        <article class="not-found" data-testid="not-found">
            <h1>"Page not found"</h1>
            <p>"There is no lab at this address. These are the labs:"</p>
            <ul>
                {LabId::ALL
                    .into_iter()
                    .map(|lab| {
                        let meta = lab.meta();
                        view! { <li><A href=href(&format!("/{}", meta.slug))>{meta.title}</A>" — "{meta.summary}</li> }
                    })
                    .collect::<Vec<_>>()}
            </ul>
        </article>
    }
}
