//! ○○-style placeholders left in from a Word copy of the ひな形: validation
//! warns about them and the coverage checks count such a value as not written.

/// Template placeholders left in from a Word copy of the ひな形.
pub const PLACEHOLDERS: [&str; 5] = ["○○", "〇〇", "××", "△△", "◯◯"];

/// Whether `text` still holds a placeholder.
pub fn has_placeholder(text: &str) -> bool {
    PLACEHOLDERS.iter().any(|p| text.contains(p))
}

/// Every string in a JSON tree with its key path, in the same notation as the TOML paths.
pub fn strings(value: &serde_json::Value) -> Vec<(String, &str)> {
    fn walk<'a>(v: &'a serde_json::Value, path: String, out: &mut Vec<(String, &'a str)>) {
        match v {
            serde_json::Value::String(s) => out.push((path, s)),
            serde_json::Value::Array(items) => {
                for (i, item) in items.iter().enumerate() {
                    walk(item, format!("{path}[{i}]"), out);
                }
            }
            serde_json::Value::Object(map) => {
                for (k, item) in map {
                    let p = if path.is_empty() {
                        k.clone()
                    } else {
                        format!("{path}.{k}")
                    };
                    walk(item, p, out);
                }
            }
            _ => {}
        }
    }
    let mut out = Vec::new();
    walk(value, String::new(), &mut out);
    out
}
