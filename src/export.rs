//! Downloads: text files (CSV, JSON) and canvas figures (PNG), through one browser boundary.

use wasm_bindgen::JsCast;
use web_sys::{Blob, BlobPropertyBag, HtmlAnchorElement, HtmlCanvasElement, Url};

/// Why a download could not start.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExportError(pub String);

fn js_error(what: &str) -> impl Fn(wasm_bindgen::JsValue) -> ExportError + '_ {
    move |e| ExportError(format!("{what}: {}", e.as_string().unwrap_or_else(|| "the browser refused".into())))
}

/// Offers `href` as a download named `file_name` by clicking a temporary link.
fn download_href(href: &str, file_name: &str) -> Result<(), ExportError> {
    let document = web_sys::window().and_then(|w| w.document()).ok_or_else(|| ExportError("no document".into()))?;
    let link: HtmlAnchorElement = document.create_element("a").map_err(js_error("creating a link"))?.unchecked_into();
    link.set_href(href);
    link.set_download(file_name);
    link.click();
    Ok(())
}

/// Downloads `text` as a file of the given MIME type.
pub fn download_text(text: &str, file_name: &str, mime: &str) -> Result<(), ExportError> {
    let parts = js_sys::Array::of1(&text.into());
    let options = BlobPropertyBag::new();
    options.set_type(mime);
    let blob = Blob::new_with_str_sequence_and_options(&parts, &options).map_err(js_error("making the file"))?;
    let url = Url::create_object_url_with_blob(&blob).map_err(js_error("making the file's address"))?;
    let result = download_href(&url, file_name);
    // The click has already copied the blob into the download; the URL only held it alive.
    let _ = Url::revoke_object_url(&url);
    result
}

/// Downloads the canvas as a PNG at its backing-store resolution (the device pixel ratio).
pub fn download_png(canvas: &HtmlCanvasElement, file_name: &str) -> Result<(), ExportError> {
    let data_url = canvas.to_data_url_with_type("image/png").map_err(js_error("encoding the PNG"))?;
    download_href(&data_url, file_name)
}
