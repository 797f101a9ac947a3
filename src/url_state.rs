//! URL state: each lab declares a typed table of parameters with defaults and ranges; the table is serialised to
//! the query string and parsed back with a notice for every unknown or malformed value, never a crash.

use std::fmt;

/// Query keys that belong to the whole app rather than one lab (embedding, theme), and are never reported unknown.
pub const GLOBAL_KEYS: &[&str] = &["embed", "theme", "hide"];

/// Why a query parameter was ignored; shown to the user next to the lab.
#[derive(Debug, Clone, PartialEq)]
pub enum UrlNotice {
    /// The key is not a parameter of this lab.
    Unknown {
        /// The key as it appeared in the URL.
        key: String,
    },
    /// The key is known but its value could not be used; the default was kept.
    Malformed {
        /// The parameter's key.
        key: &'static str,
        /// The value as it appeared in the URL (shortened when very long).
        value: String,
        /// What was wrong with it.
        reason: String,
    },
}

impl fmt::Display for UrlNotice {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Unknown { key } => write!(f, "Ignored unknown parameter “{key}”."),
            Self::Malformed { key, value, reason } => {
                write!(f, "Ignored “{key}={value}”: {reason}; using the default.")
            }
        }
    }
}

/// The allowed values of a numeric parameter, inclusive.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Range {
    /// Smallest allowed value.
    pub min: f64,
    /// Largest allowed value.
    pub max: f64,
}

/// A value that can live in the query string.
pub trait QueryValue: Sized + Clone + PartialEq {
    /// Parses `text`, checking `range` for numeric values.
    fn parse_query(text: &str, range: Option<Range>) -> Result<Self, String>;
    /// The canonical text of the value, which [`QueryValue::parse_query`] reads back exactly.
    fn to_query(&self) -> String;
}

fn check_range(value: f64, range: Option<Range>) -> Result<(), String> {
    match range {
        Some(Range { min, max }) if !(min..=max).contains(&value) => Err(format!("must be between {min} and {max}")),
        _ => Ok(()),
    }
}

impl QueryValue for f64 {
    fn parse_query(text: &str, range: Option<Range>) -> Result<Self, String> {
        let value: f64 = text.trim().parse().map_err(|_| "not a number".to_string())?;
        if !value.is_finite() {
            return Err("must be a finite number".into());
        }
        check_range(value, range)?;
        Ok(value)
    }
    fn to_query(&self) -> String {
        // Rust's shortest round-trip formatting, so the same URL restores the same bits.
        format!("{self}")
    }
}

macro_rules! integer_query_value {
    ($($t:ty),*) => {$(
        impl QueryValue for $t {
            fn parse_query(text: &str, range: Option<Range>) -> Result<Self, String> {
                let value: $t = text.trim().parse().map_err(|_| "not a whole number in range".to_string())?;
                check_range(value as f64, range)?;
                Ok(value)
            }
            fn to_query(&self) -> String {
                self.to_string()
            }
        }
    )*};
}
integer_query_value!(u32, u64);

impl QueryValue for bool {
    fn parse_query(text: &str, _: Option<Range>) -> Result<Self, String> {
        match text {
            "1" | "true" | "on" => Ok(true),
            "0" | "false" | "off" => Ok(false),
            _ => Err("must be 1 or 0".into()),
        }
    }
    fn to_query(&self) -> String {
        if *self { "1" } else { "0" }.into()
    }
}

/// An enumeration whose variants are named by short slugs in the URL.
pub trait Choice: Sized + Copy + PartialEq + 'static {
    /// Every variant, in display order.
    const ALL: &'static [Self];
    /// The variant's name in the URL.
    fn slug(self) -> &'static str;
    /// The variant's name for people.
    fn label(self) -> &'static str;
}

/// Wraps a [`Choice`] so that it can be a URL parameter.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Chosen<C>(pub C);

impl<C: Choice> QueryValue for Chosen<C> {
    fn parse_query(text: &str, _: Option<Range>) -> Result<Self, String> {
        C::ALL.iter().copied().find(|c| c.slug() == text).map(Chosen).ok_or_else(|| {
            let names: Vec<_> = C::ALL.iter().map(|c| c.slug()).collect();
            format!("must be one of {}", names.join(", "))
        })
    }
    fn to_query(&self) -> String {
        self.0.slug().into()
    }
}

/// What a page needs to know of one parameter to draw a control for it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct FieldInfo {
    /// The query key.
    pub key: &'static str,
    /// The label shown next to the control.
    pub label: &'static str,
    /// The allowed range, for numeric parameters.
    pub range: Option<Range>,
}

/// A lab's parameter table: parsed from and written to the query string.
pub trait UrlState: Default + Clone + PartialEq + 'static {
    /// The table of parameters, in display order.
    const FIELDS: &'static [FieldInfo];
    /// Sets the parameter `key` from its URL text; `Ok(false)` when the key is not in the table.
    fn set_from_query(&mut self, key: &str, text: &str) -> Result<bool, String>;
    /// The URL text of every parameter, in table order.
    fn query_pairs(&self) -> Vec<(&'static str, String)>;

    /// Reads the state from query pairs: known keys are parsed, everything else becomes a notice.
    fn from_query<'a>(pairs: impl IntoIterator<Item = (&'a str, &'a str)>) -> (Self, Vec<UrlNotice>) {
        let mut state = Self::default();
        let mut notices = Vec::new();
        for (key, value) in pairs {
            match state.set_from_query(key, value) {
                Ok(true) => {}
                Ok(false) if GLOBAL_KEYS.contains(&key) => {}
                Ok(false) => notices.push(UrlNotice::Unknown { key: shorten(key) }),
                Err(reason) => {
                    let key = Self::FIELDS.iter().map(|f| f.key).find(|k| *k == key).unwrap_or("?");
                    notices.push(UrlNotice::Malformed { key, value: shorten(value), reason });
                }
            }
        }
        (state, notices)
    }

    /// Reads the state from a raw query string, with or without its leading `?`.
    fn from_query_string(query: &str) -> (Self, Vec<UrlNotice>) {
        let pairs: Vec<(String, String)> = query
            .trim_start_matches('?')
            .split('&')
            .filter(|pair| !pair.is_empty())
            .map(|pair| {
                let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
                (decode_component(key), decode_component(value))
            })
            .collect();
        Self::from_query(pairs.iter().map(|(k, v)| (k.as_str(), v.as_str())))
    }

    /// The query string (without `?`) of the parameters that differ from their defaults.
    fn to_query_string(&self) -> String {
        let defaults = Self::default().query_pairs();
        self.query_pairs()
            .into_iter()
            .zip(defaults)
            .filter(|((_, value), (_, default))| value != default)
            .map(|((key, value), _)| format!("{key}={}", encode_component(&value)))
            .collect::<Vec<_>>()
            .join("&")
    }
}

/// Keeps notices readable when a URL carries a very long value.
fn shorten(text: &str) -> String {
    const LIMIT: usize = 40;
    if text.chars().count() <= LIMIT {
        text.to_string()
    } else {
        format!("{}…", text.chars().take(LIMIT).collect::<String>())
    }
}

/// Percent-encodes everything but unreserved characters (RFC 3986 §2.3), plus `,` which lists use.
pub fn encode_component(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for byte in text.bytes() {
        match byte {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' | b',' => out.push(byte as char),
            _ => out.push_str(&format!("%{byte:02X}")),
        }
    }
    out
}

/// Decodes `%XX` escapes and `+` (as a space); malformed escapes are kept literally, invalid UTF-8 is replaced.
pub fn decode_component(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = |b: u8| (b as char).to_digit(16);
        match bytes[i] {
            b'%' if i + 2 < bytes.len() => match (hex(bytes[i + 1]), hex(bytes[i + 2])) {
                (Some(hi), Some(lo)) => {
                    out.push((hi * 16 + lo) as u8);
                    i += 3;
                    continue;
                }
                _ => out.push(b'%'),
            },
            b'+' => out.push(b' '),
            byte => out.push(byte),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// Declares a lab's parameter struct, its defaults and its [`UrlState`] table in one place.
///
/// Each field is `key: Type = default, "Label"` with an optional `range(min, max)` before the label.
#[macro_export]
macro_rules! url_state {
    (
        $(#[$meta:meta])*
        pub struct $name:ident {
            $( $(#[$fmeta:meta])* $field:ident : $ty:ty = $default:expr $(, range($min:expr, $max:expr))?, $label:literal ;)*
        }
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, PartialEq)]
        pub struct $name {
            $( $(#[$fmeta])* #[doc = $label] pub $field: $ty, )*
        }

        impl Default for $name {
            fn default() -> Self {
                Self { $( $field: $default, )* }
            }
        }

        impl $crate::url_state::UrlState for $name {
            const FIELDS: &'static [$crate::url_state::FieldInfo] = &[
                $( $crate::url_state::FieldInfo {
                    key: stringify!($field),
                    label: $label,
                    range: $crate::url_state!(@range $($min, $max)?),
                }, )*
            ];

            fn set_from_query(&mut self, key: &str, text: &str) -> Result<bool, String> {
                match key {
                    $( stringify!($field) => {
                        self.$field = <$ty as $crate::url_state::QueryValue>::parse_query(
                            text,
                            $crate::url_state!(@range $($min, $max)?),
                        )?;
                        Ok(true)
                    } )*
                    _ => Ok(false),
                }
            }

            fn query_pairs(&self) -> Vec<(&'static str, String)> {
                vec![ $( (stringify!($field), $crate::url_state::QueryValue::to_query(&self.$field)), )* ]
            }
        }
    };
    (@range $min:expr, $max:expr) => { Some($crate::url_state::Range { min: $min as f64, max: $max as f64 }) };
    (@range) => { None };
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, Clone, Copy, PartialEq)]
    pub enum Shape {
        Normal,
        Uniform,
    }
    impl Choice for Shape {
        const ALL: &'static [Self] = &[Self::Normal, Self::Uniform];
        fn slug(self) -> &'static str {
            match self {
                Self::Normal => "normal",
                Self::Uniform => "uniform",
            }
        }
        fn label(self) -> &'static str {
            self.slug()
        }
    }

    url_state! {
        /// A table with one field of every kind.
        pub struct Demo {
            temperature: f64 = 1.0, range(0.01, 100.0), "Temperature";
            n: u32 = 8, range(2, 1_000_000), "Logits";
            seed: u64 = 42, "Seed";
            shape: Chosen<Shape> = Chosen(Shape::Normal), "Distribution";
            log_scale: bool = false, "Log scale";
        }
    }

    fn parse(query: &str) -> (Demo, Vec<UrlNotice>) {
        Demo::from_query_string(query)
    }

    #[test]
    fn defaults_serialise_to_an_empty_query() {
        assert_eq!(Demo::default().to_query_string(), "");
        assert_eq!(parse(""), (Demo::default(), vec![]));
    }

    #[test]
    fn every_field_round_trips_exactly() {
        let state = Demo {
            temperature: 0.1 + 0.2, // not representable in short decimal: must still restore the same bits
            n: 1_000_000,
            seed: u64::MAX,
            shape: Chosen(Shape::Uniform),
            log_scale: true,
        };
        let query = state.to_query_string();
        assert_eq!(
            query,
            "temperature=0.30000000000000004&n=1000000&seed=18446744073709551615&shape=uniform&log_scale=1"
        );
        assert_eq!(parse(&query), (state, vec![]));
    }

    #[test]
    fn malformed_and_unknown_values_keep_defaults_and_say_so() {
        let (state, notices) = parse("temperature=NaN&n=1&shape=cauchy&bogus=3&log_scale=maybe&seed=-1&embed=1");
        assert_eq!(state, Demo::default());
        let text: Vec<String> = notices.iter().map(ToString::to_string).collect();
        assert_eq!(
            text,
            [
                "Ignored “temperature=NaN”: must be a finite number; using the default.",
                "Ignored “n=1”: must be between 2 and 1000000; using the default.",
                "Ignored “shape=cauchy”: must be one of normal, uniform; using the default.",
                "Ignored unknown parameter “bogus”.",
                "Ignored “log_scale=maybe”: must be 1 or 0; using the default.",
                "Ignored “seed=-1”: not a whole number in range; using the default.",
            ]
        );
    }

    #[test]
    fn huge_and_infinite_numbers_are_refused() {
        let (state, notices) = parse("temperature=1e400&n=99999999999999999999999");
        assert_eq!(state, Demo::default());
        assert_eq!(notices.len(), 2);
    }

    #[test]
    fn long_values_are_shortened_in_notices() {
        let long = "x".repeat(5000);
        let (_, notices) = parse(&format!("{long}=1"));
        assert_eq!(notices, vec![UrlNotice::Unknown { key: format!("{}…", "x".repeat(40)) }]);
    }

    #[test]
    fn decoding_inverts_encoding_and_survives_malformed_escapes() {
        for text in ["a b&c=d,é", "100%", "%", "%zz", "日本", ""] {
            assert_eq!(decode_component(&encode_component(text)), text);
        }
        assert_eq!(decode_component("%zz%4"), "%zz%4");
        assert_eq!(decode_component("a+b%2Bc"), "a b+c");
        assert_eq!(decode_component("%FF"), "\u{FFFD}");
    }

    #[test]
    fn encoding_escapes_reserved_and_unicode_characters() {
        assert_eq!(encode_component("a b&c=d,é"), "a%20b%26c%3Dd,%C3%A9");
    }
}
