//! Softscope: interactive labs that show how softmax and its relatives behave, as a Leptos client-side app.

pub mod app;
pub mod bench;
pub mod canvas;
pub mod export;
pub mod hooks;
pub mod labs;
pub mod share;
pub mod ui;
pub mod url_state;

use wasm_bindgen::{JsCast, JsValue};

/// Mounts the app, after making sure that a panic is shown to the reader instead of leaving a blank page.
pub fn start() {
    std::panic::set_hook(Box::new(|info| {
        console_error_panic_hook::hook(info);
        show_error_panel(&info.to_string());
    }));
    if let Some(theme) = web_sys::window().and_then(|w| w.location().search().ok()).and_then(|q| forced_theme(&q)) {
        if let Some(root) = web_sys::window().and_then(|w| w.document()).and_then(|d| d.document_element()) {
            let _ = root.set_attribute("data-theme", theme);
        }
    }
    leptos::mount::mount_to_body(app::App);
}

/// Shows `message` in the page's error panel (defined in `index.html`, which also catches JS errors).
fn show_error_panel(message: &str) {
    let show = web_sys::window().and_then(|w| js_sys::Reflect::get(&w, &"__softscopeError".into()).ok());
    if let Some(show) = show.and_then(|f| f.dyn_into::<js_sys::Function>().ok()) {
        let _ = show.call1(&JsValue::NULL, &message.into());
    }
}

/// `?theme=light|dark` overrides the reader's colour-scheme preference (for slides and embeds).
pub fn forced_theme(query: &str) -> Option<&'static str> {
    query.trim_start_matches('?').split('&').find_map(|pair| match pair {
        "theme=dark" => Some("dark"),
        "theme=light" => Some("light"),
        _ => None,
    })
}

#[cfg(test)]
mod tests {
    #[test]
    fn theme_is_forced_only_by_known_values() {
        assert_eq!(super::forced_theme("?n=3&theme=dark"), Some("dark"));
        assert_eq!(super::forced_theme("theme=light"), Some("light"));
        assert_eq!(super::forced_theme("?theme=purple"), None);
        assert_eq!(super::forced_theme(""), None);
    }
}
