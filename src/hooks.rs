//! Reactive hooks that own browser resources.

use crate::url_state::{UrlNotice, UrlState, GLOBAL_KEYS};
use leptos::prelude::*;
use leptos_router::hooks::use_location;

/// What [`use_url_state`] returns.
pub struct UseUrlStateReturn<P: 'static> {
    /// The lab's parameters; write to it and the URL follows.
    pub state: RwSignal<P>,
    /// What was ignored in the URL the page was opened with.
    pub notices: Vec<UrlNotice>,
}

/// The least time between two URL writes, in ms.
const URL_INTERVAL_MS: f64 = 100.0;

/// The URL write waiting for its turn, if any, and when the last one was made.
struct UrlWrites {
    pending: Option<Box<dyn FnOnce()>>,
    last_ms: f64,
}

thread_local! {
    static URL_WRITES: std::cell::RefCell<UrlWrites> =
        const { std::cell::RefCell::new(UrlWrites { pending: None, last_ms: f64::NEG_INFINITY }) };
}

fn now_ms() -> f64 {
    window().performance().map_or(0.0, |p| p.now())
}

/// Writes a state change that is still waiting into the URL now: before the URL is shared or the page left.
pub fn flush_url() {
    let write = URL_WRITES.with(|writes| {
        let mut writes = writes.borrow_mut();
        writes.last_ms = now_ms();
        writes.pending.take()
    });
    if let Some(write) = write {
        write();
    }
}

/// Queues `write` as the newest URL write: made at once after a quiet spell, else when [`URL_INTERVAL_MS`] has
/// passed since the last one (a newer write replaces one still waiting).
fn queue_url_write(write: Box<dyn FnOnce()>) {
    let (waiting, since_last) = URL_WRITES.with(|writes| {
        let mut writes = writes.borrow_mut();
        (writes.pending.replace(write).is_some(), now_ms() - writes.last_ms)
    });
    if waiting {
        return;
    }
    if since_last >= URL_INTERVAL_MS {
        flush_url();
    } else {
        set_timeout(flush_url, std::time::Duration::from_secs_f64((URL_INTERVAL_MS - since_last) / 1000.0));
    }
}

/// Replaces the page's query string with `query` followed by the app-wide `kept` pairs.
fn replace_query(query: String, kept: &[String]) {
    let mut parts = vec![query];
    parts.extend(kept.iter().cloned());
    let query = parts.into_iter().filter(|p| !p.is_empty()).collect::<Vec<_>>().join("&");
    let path = window().location().pathname().unwrap_or_default();
    let url = if query.is_empty() { path } else { format!("{path}?{query}") };
    if let Ok(history) = window().history() {
        // A refused replaceState (e.g. inside a sandboxed iframe) only loses the shareable URL, not the page.
        let _ = history.replace_state_with_url(&wasm_bindgen::JsValue::NULL, "", Some(&url));
    }
}

/// The lab's parameters, read once from the query string and mirrored back into it on every change.
///
/// The URL is rewritten with `history.replaceState`, not a router navigation: dragging a slider must not re-run
/// the route or pile up history entries, and it is written at most every [`URL_INTERVAL_MS`]. App-wide keys
/// (`embed`, `theme`, `hide`) are carried over untouched.
pub fn use_url_state<P: UrlState + Send + Sync>() -> UseUrlStateReturn<P> {
    let location = use_location();
    let query = location.search.get_untracked();
    let (initial, notices) = P::from_query_string(&query);
    let kept: Vec<String> = query
        .trim_start_matches('?')
        .split('&')
        .filter(|pair| GLOBAL_KEYS.contains(&pair.split('=').next().unwrap_or_default()))
        .map(str::to_string)
        .collect();
    let state = RwSignal::new(initial);
    let listener = window_event_listener(leptos::ev::pagehide, |_| flush_url());
    on_cleanup(move || listener.remove());
    Effect::new(move |previous: Option<()>| {
        state.track();
        // NOTE: the first run only records the state: rewriting the URL at load would silently drop the
        // malformed parameters before the reader has seen the notice that names them.
        if previous.is_none() {
            return;
        }
        let kept = kept.clone();
        let write = Box::new(move || {
            // The page may have left the lab in the meantime: its state must not land on another path.
            if let Some(query) = state.try_with_untracked(UrlState::to_query_string) {
                replace_query(query, &kept);
            }
        });
        // PERF: a dragged slider changes the state every frame, and each `replaceState` costs the browser about as
        // much as drawing a figure: during a drag the URL follows a few times a second, with the newest state.
        queue_url_write(write);
    });
    UseUrlStateReturn { state, notices }
}

/// Plays an animation: calls `advance` every `period_ms` until it returns `false` or [`Player::stop`] is called.
/// The interval is cleared when the owning component is.
#[derive(Clone, Copy)]
pub struct Player {
    playing: RwSignal<bool>,
    timer: StoredValue<Option<IntervalHandle>>,
    advance: StoredValue<std::sync::Arc<dyn Fn() -> bool + Send + Sync>>,
    period_ms: u64,
}

impl Player {
    /// Whether it is playing (tracked).
    pub fn is_playing(&self) -> bool {
        self.playing.get()
    }

    /// Stops playing; harmless when stopped.
    pub fn stop(&self) {
        self.playing.set(false);
        if let Some(handle) = self.timer.get_value() {
            handle.clear();
        }
        self.timer.set_value(None);
    }

    /// Starts playing from the current state.
    pub fn start(&self) {
        self.stop();
        self.playing.set(true);
        let (player, advance) = (*self, self.advance.get_value());
        let handle = set_interval_with_handle(
            move || {
                if !advance() {
                    player.stop();
                }
            },
            std::time::Duration::from_millis(self.period_ms),
        );
        self.timer.set_value(handle.ok());
    }
}

/// A copy of `source` that follows it at most once per animation frame. A dragged slider fires several input
/// events per frame; the first change in a frame is applied at once (no added latency), later ones wait for the
/// next frame and only the newest of them is applied.
pub fn use_frame_coalesced<T: Clone + Send + Sync + 'static>(source: RwSignal<T>) -> ReadSignal<T> {
    let (applied, set_applied) = signal(source.get_untracked());
    let busy = StoredValue::new(false);
    let pending = StoredValue::new(false);
    Effect::new(move |first: Option<()>| {
        source.track();
        if first.is_none() {
            return;
        }
        if busy.get_value() {
            pending.set_value(true);
            return;
        }
        set_applied.set(source.get_untracked());
        busy.set_value(true);
        after_frame(source, set_applied, busy, pending);
    });
    applied
}

/// Frees the frame at the next animation frame, first applying a change that waited for it (which takes that
/// frame in turn). `try_` throughout: the page may have left the lab before the frame came.
fn after_frame<T: Clone + Send + Sync + 'static>(
    source: RwSignal<T>,
    set_applied: WriteSignal<T>,
    busy: StoredValue<bool>,
    pending: StoredValue<bool>,
) {
    request_animation_frame(move || {
        if pending.try_get_value() == Some(true) {
            let _ = pending.try_set_value(false);
            if let Some(value) = source.try_get_untracked() {
                let _ = set_applied.try_set(value);
            }
            after_frame(source, set_applied, busy, pending);
        } else {
            let _ = busy.try_set_value(false);
        }
    });
}

/// A [`Player`] that calls `advance` every `period_ms`.
pub fn use_player(period_ms: u64, advance: impl Fn() -> bool + Send + Sync + 'static) -> Player {
    let player = Player {
        playing: RwSignal::new(false),
        timer: StoredValue::new(None),
        advance: StoredValue::new(std::sync::Arc::new(advance)),
        period_ms,
    };
    on_cleanup(move || player.stop());
    player
}
