//! Sharing and embedding: the link with every setting, and an `<iframe>` snippet for course pages whose host
//! resizes the frame from the embedded page's `softscope:height` messages.

use leptos::html::{Dialog, Textarea};
use leptos::prelude::*;

/// Query keys that describe how a page is shown, not what it shows: left out of shared links.
const PRESENTATION_KEYS: [&str; 3] = ["embed", "hide", "theme"];

/// `query` (with or without its `?`) without the presentation keys.
pub fn content_query(query: &str) -> String {
    query
        .trim_start_matches('?')
        .split('&')
        .filter(|pair| !pair.is_empty() && !PRESENTATION_KEYS.contains(&pair.split('=').next().unwrap_or_default()))
        .collect::<Vec<_>>()
        .join("&")
}

/// The shareable link of `origin`, `path` and `query`.
pub fn share_link(origin: &str, path: &str, query: &str) -> String {
    let query = content_query(query);
    if query.is_empty() {
        format!("{origin}{path}")
    } else {
        format!("{origin}{path}?{query}")
    }
}

/// The embed URL of a shared link: `embed=1`, and a forced theme unless `theme` is "auto".
pub fn embed_url(link: &str, theme: &str) -> String {
    let separator = if link.contains('?') { '&' } else { '?' };
    let theme = if theme == "light" || theme == "dark" { format!("&theme={theme}") } else { String::new() };
    format!("{link}{separator}embed=1{theme}")
}

/// Escapes text for an HTML attribute value in double quotes.
fn attribute(text: &str) -> String {
    text.replace('&', "&amp;").replace('"', "&quot;").replace('<', "&lt;")
}

/// The snippet a teacher pastes into a course page: the iframe, and a listener that sets its height.
pub fn embed_snippet(link: &str, theme: &str, title: &str) -> String {
    format!(
        "<iframe src=\"{}\" title=\"Softscope: {}\" width=\"100%\" height=\"900\" style=\"border:0;max-width:100%\" \
         loading=\"lazy\"></iframe>\n<script>\n  // Softscope reports its height; this sets the iframe's to match.\n  \
         addEventListener(\"message\", function (e) {{\n    if (!e.data || e.data.type !== \"softscope:height\") return;\n    \
         document.querySelectorAll(\"iframe\").forEach(function (f) {{\n      \
         if (f.contentWindow === e.source) f.style.height = e.data.height + \"px\";\n    }});\n  }});\n</script>",
        attribute(&embed_url(link, theme)),
        attribute(title)
    )
}

fn current_link() -> String {
    crate::hooks::flush_url();
    let location = window().location();
    share_link(
        &location.origin().unwrap_or_default(),
        &location.pathname().unwrap_or_default(),
        &location.search().unwrap_or_default(),
    )
}

/// A "Share / embed" button and its dialog.
#[component]
pub fn ShareDialog(
    /// The lab's title, for the iframe's accessible name.
    title: &'static str,
) -> impl IntoView {
    let dialog = NodeRef::<Dialog>::new();
    let snippet_area = NodeRef::<Textarea>::new();
    let link = RwSignal::new(String::new());
    let theme = RwSignal::new("auto".to_string());
    let status = RwSignal::new(String::new());
    let snippet = Signal::derive(move || embed_snippet(&link.get(), &theme.get(), title));
    let open = move |_| {
        link.set(current_link());
        status.set(String::new());
        if let Some(d) = dialog.get() {
            let _ = d.show_modal();
        }
    };
    let copy = move |text: String, what: &'static str| {
        let clipboard = window().navigator().clipboard();
        let promise = clipboard.write_text(&text);
        leptos::task::spawn_local(async move {
            match wasm_bindgen_futures::JsFuture::from(promise).await {
                Ok(_) => status.set(format!("{what} copied.")),
                // Sandboxed frames and insecure pages refuse the clipboard: the text stays selected for Ctrl+C.
                Err(_) => status.set("The browser refused the clipboard: the text is selected, press Ctrl+C.".into()),
            }
        });
    };
    view! {
        <button type="button" class="button secondary share-button" data-testid="share" on:click=open>
            "Share / embed"
        </button>
        <dialog node_ref=dialog class="share-dialog" aria-labelledby="share-title">
            <h2 id="share-title">"Share or embed this lab"</h2>
            <div class="control">
                <label for="share-link">"Link with every setting"</label>
                <input id="share-link" data-testid="share-link" type="text" readonly prop:value=move || link.get()
                    on:focus=move |ev| { event_target::<web_sys::HtmlInputElement>(&ev).select() } />
                <button type="button" class="button secondary" on:click=move |_| copy(link.get_untracked(), "Link")>"Copy link"</button>
            </div>
            <div class="control">
                <label for="share-theme">"Theme of the embedded lab"</label>
                <select id="share-theme" on:change=move |ev| theme.set(event_target_value(&ev))>
                    <option value="auto">"Follow the reader's setting"</option>
                    <option value="light">"Light"</option>
                    <option value="dark">"Dark"</option>
                </select>
            </div>
            <div class="control">
                <label for="share-snippet">"Snippet for a course page (the iframe resizes itself)"</label>
                <textarea id="share-snippet" data-testid="share-snippet" node_ref=snippet_area readonly rows="8"
                    prop:value=move || snippet.get()/>
                <button type="button" class="button secondary" on:click=move |_| {
                    if let Some(area) = snippet_area.get() {
                        area.select();
                    }
                    copy(snippet.get_untracked(), "Snippet");
                }>"Copy snippet"</button>
            </div>
            <p class="hint">"Add "<code>"&hide=key1,key2"</code>" to the iframe's address to hide controls by their keys (shown in the link), e.g. "<code>"hide=seed"</code>"."</p>
            <p role="status" class="hint">{move || status.get()}</p>
            <form method="dialog"><button class="button" data-testid="share-close">"Close"</button></form>
        </dialog>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn links_keep_the_state_and_drop_presentation_keys() {
        assert_eq!(content_query("?a=1&embed=1&theme=dark&hide=seed&b=2"), "a=1&b=2");
        assert_eq!(share_link("https://x.org", "/nms", "?embed=1"), "https://x.org/nms");
        assert_eq!(share_link("https://x.org", "/nms", "?sigma=0.3"), "https://x.org/nms?sigma=0.3");
        assert_eq!(embed_url("https://x.org/nms", "auto"), "https://x.org/nms?embed=1");
        assert_eq!(embed_url("https://x.org/nms?a=1", "dark"), "https://x.org/nms?a=1&embed=1&theme=dark");
    }

    #[test]
    fn the_snippet_escapes_and_resizes() {
        let s = embed_snippet("https://x.org/nms?a=1&b=\"2\"", "light", "Soft-NMS lab");
        assert!(s.starts_with("<iframe src=\"https://x.org/nms?a=1&amp;b=&quot;2&quot;&amp;embed=1&amp;theme=light\""));
        assert!(s.contains("title=\"Softscope: Soft-NMS lab\""));
        assert!(s.contains("softscope:height"));
    }
}
