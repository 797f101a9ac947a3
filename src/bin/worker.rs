//! The grokking lab's training worker: a second Trunk binary that owns the [`Trainer`] and works in chunks,
//! yielding between them so that Pause, Step and new settings are seen within one chunk (≤ 16 ms of work).

#[cfg(target_arch = "wasm32")]
fn main() {
    worker::start();
}

#[cfg(not(target_arch = "wasm32"))]
fn main() {
    eprintln!("the training worker runs in a browser; build it with Trunk");
}

#[cfg(target_arch = "wasm32")]
mod worker {
    use softscope::labs::grokking::protocol::{same_run, FromWorker, ToWorker};
    use softscope_kernels::grok::{Config, Metrics, Trainer, BLOCK};
    use std::cell::RefCell;
    use std::rc::Rc;
    use wasm_bindgen::prelude::*;
    use web_sys::{DedicatedWorkerGlobalScope, MessageEvent};

    /// Work per chunk before yielding, in milliseconds.
    const CHUNK_MS: f64 = 12.0;
    /// Least time between progress messages (at most 30 a second).
    const POST_MS: f64 = 33.0;

    struct State {
        scope: DedicatedWorkerGlobalScope,
        config: Option<Config>,
        trainer: Option<Trainer>,
        log_every: u64,
        max_steps: u64,
        steps_per_tick: u32,
        running: bool,
        /// Single steps requested and not yet taken.
        pending_steps: u64,
        looping: bool,
        buffered: Vec<Metrics>,
        last_post: f64,
        rate: f64,
    }

    impl State {
        fn now(&self) -> f64 {
            self.scope.performance().map_or(0.0, |p| p.now())
        }

        fn post(&mut self, message: &FromWorker) {
            let _ = self.scope.post_message(&JsValue::from_str(&message.to_json()));
        }

        fn progress(&mut self) {
            let step = self.trainer.as_ref().map_or(0, Trainer::step);
            let points = std::mem::take(&mut self.buffered);
            let message = FromWorker::Progress { step, running: self.running, points, steps_per_s: self.rate };
            self.post(&message);
            self.last_post = self.now();
        }

        fn fail(&mut self, message: String) {
            self.running = false;
            self.pending_steps = 0;
            self.progress();
            self.post(&FromWorker::Failed { message });
        }

        fn restart(&mut self) {
            self.running = false;
            self.pending_steps = 0;
            self.buffered.clear();
            self.trainer = None;
            let Some(config) = self.config.clone() else { return };
            match Trainer::new(&config) {
                Ok(trainer) => {
                    self.trainer = Some(trainer);
                    self.post(&FromWorker::Restarted);
                    self.progress();
                }
                Err(e) => self.fail(e.to_string()),
            }
        }

        fn handle(&mut self, message: ToWorker) {
            match message {
                ToWorker::Configure { config, log_every, max_steps } => {
                    self.log_every = u64::from(log_every.max(1));
                    self.max_steps = max_steps;
                    let continues = match (&self.trainer, &self.config) {
                        (Some(_), Some(old)) => same_run(old, &config),
                        _ => false,
                    };
                    if continues {
                        if let Err(e) = config.validate() {
                            return self.fail(e.to_string());
                        }
                        if let Some(trainer) = &mut self.trainer {
                            trainer.set_optimiser(&config);
                        }
                        self.config = Some(config);
                    } else {
                        self.config = Some(config);
                        self.restart();
                    }
                }
                ToWorker::Reset => self.restart(),
                ToWorker::Play => self.running = self.trainer.is_some(),
                ToWorker::Pause => {
                    self.running = false;
                    self.pending_steps = 0;
                    self.progress();
                }
                ToWorker::Step => {
                    self.running = false;
                    self.pending_steps += u64::from(self.trainer.is_some());
                }
                ToWorker::Speed { steps_per_tick } => self.steps_per_tick = steps_per_tick.clamp(1, 1000),
            }
        }

        /// One chunk of work; whether there is more to do.
        fn chunk(&mut self) -> bool {
            let started = self.now();
            let mut steps = 0u32;
            while (self.running || self.pending_steps > 0) && self.now() - started < CHUNK_MS {
                let Some(trainer) = &mut self.trainer else { return false };
                if trainer.step() >= self.max_steps && self.pending_steps == 0 {
                    self.running = false;
                    break;
                }
                match trainer.advance(BLOCK) {
                    Ok(None) => {}
                    Ok(Some(stats)) => {
                        steps += 1;
                        let single = self.pending_steps > 0;
                        self.pending_steps = self.pending_steps.saturating_sub(1);
                        if single || trainer.step() % self.log_every == 0 || trainer.step() == 1 {
                            self.buffered.push(trainer.metrics(stats));
                        }
                        if steps >= self.steps_per_tick {
                            break;
                        }
                    }
                    Err(e) => {
                        self.fail(e.to_string());
                        return false;
                    }
                }
            }
            let elapsed = self.now() - started;
            if steps > 0 && elapsed > 0.0 {
                self.rate = f64::from(steps) * 1000.0 / elapsed;
            }
            let more = self.running || self.pending_steps > 0;
            if !more || self.now() - self.last_post >= POST_MS {
                self.progress();
            }
            more
        }
    }

    /// Runs chunks until there is nothing to do, yielding to the event loop (and so to incoming messages) between.
    async fn run(state: Rc<RefCell<State>>) {
        loop {
            let more = state.borrow_mut().chunk();
            if !more {
                break;
            }
            gloo_timers::future::TimeoutFuture::new(0).await;
        }
        state.borrow_mut().looping = false;
    }

    pub fn start() {
        let scope: DedicatedWorkerGlobalScope = js_sys::global().unchecked_into();
        let state = Rc::new(RefCell::new(State {
            scope: scope.clone(),
            config: None,
            trainer: None,
            log_every: 10,
            max_steps: u64::MAX,
            steps_per_tick: 1000,
            running: false,
            pending_steps: 0,
            looping: false,
            buffered: Vec::new(),
            last_post: 0.0,
            rate: 0.0,
        }));
        let handler_state = Rc::clone(&state);
        let on_message = Closure::<dyn FnMut(MessageEvent)>::new(move |event: MessageEvent| {
            let text = event.data().as_string().unwrap_or_default();
            let mut s = handler_state.borrow_mut();
            match serde_json::from_str::<ToWorker>(&text) {
                Ok(message) => s.handle(message),
                Err(e) => s.fail(format!("the worker did not understand a message: {e}")),
            }
            if (s.running || s.pending_steps > 0) && !s.looping {
                s.looping = true;
                drop(s);
                wasm_bindgen_futures::spawn_local(run(Rc::clone(&handler_state)));
            }
        });
        scope.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
        // The handler lives as long as the worker.
        on_message.forget();
        let _ = scope.post_message(&JsValue::from_str(&FromWorker::Ready.to_json()));
    }
}
