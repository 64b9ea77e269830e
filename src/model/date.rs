use std::fmt;

use serde::de::Error as _;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// A calendar date. TOML gives it natively (`2025-04-01`); a CSV gives it as
/// text, in the ISO or the Japanese office form (`2025/4/1`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Date {
    pub year: u16,
    pub month: u8,
    pub day: u8,
}

impl Date {
    pub fn new(year: u16, month: u8, day: u8) -> Option<Self> {
        let leap =
            (year.is_multiple_of(4) && !year.is_multiple_of(100)) || year.is_multiple_of(400);
        let days = match month {
            1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
            4 | 6 | 9 | 11 => 30,
            2 if leap => 29,
            2 => 28,
            _ => return None,
        };
        (year >= 1 && (1..=days).contains(&day)).then_some(Self { year, month, day })
    }

    /// `2025-04-01`, `2025/4/1`, `2025.4.1`.
    pub fn parse(text: &str) -> Option<Self> {
        let text = text.trim();
        let mut parts = text.split(['-', '/', '.']);
        let y = parts.next()?.parse().ok()?;
        let m = parts.next()?.parse().ok()?;
        let d = parts.next()?.parse().ok()?;
        if parts.next().is_some() {
            return None;
        }
        Self::new(y, m, d)
    }

    /// 2025年4月1日
    pub fn japanese(&self) -> String {
        format!("{}年{}月{}日", self.year, self.month, self.day)
    }

    /// Today by the system clock.
    pub fn today() -> Option<Self> {
        let secs = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .ok()?
            .as_secs();
        Self::from_unix_days(i64::try_from(secs / 86_400).ok()?)
    }

    /// `SOURCE_DATE_EPOCH`, when set and valid.
    pub fn source_date_epoch() -> Option<Self> {
        let secs: i64 = std::env::var("SOURCE_DATE_EPOCH")
            .ok()?
            .trim()
            .parse()
            .ok()?;
        Self::from_unix_days(secs.div_euclid(86_400))
    }

    /// "Now" for warnings (dates in the future, stale reviews) and the
    /// starter TOML: `SOURCE_DATE_EPOCH` for reproducible runs, else the
    /// clock. Nothing printed in the plan's PDF may depend on it.
    pub fn now() -> Self {
        Self::source_date_epoch()
            .or_else(Self::today)
            .unwrap_or(Self {
                year: 1970,
                month: 1,
                day: 1,
            })
    }

    /// Days since 1970-01-01 (Howard Hinnant's days_from_civil).
    pub fn unix_days(&self) -> i64 {
        let (m, d) = (i64::from(self.month), i64::from(self.day));
        let y = i64::from(self.year) - i64::from(m <= 2);
        let era = y.div_euclid(400);
        let yoe = y.rem_euclid(400);
        let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + d - 1;
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
        era * 146_097 + doe - 719_468
    }

    /// Days since 1970-01-01 (proleptic Gregorian), for SOURCE_DATE_EPOCH.
    pub fn from_unix_days(days: i64) -> Option<Self> {
        // Howard Hinnant's civil_from_days.
        let z = days + 719_468;
        let era = z.div_euclid(146_097);
        let doe = z.rem_euclid(146_097);
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
        let mp = (5 * doy + 2) / 153;
        let d = doy - (153 * mp + 2) / 5 + 1;
        let m = if mp < 10 { mp + 3 } else { mp - 9 };
        let y = yoe + era * 400 + i64::from(m <= 2);
        Self::new(u16::try_from(y).ok()?, m as u8, d as u8)
    }
}

impl fmt::Display for Date {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}-{:02}", self.year, self.month, self.day)
    }
}

impl Serialize for Date {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Date {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        const EXPECTED: &str = "日付（例: 2025-04-01、引用符なし）";
        let value = DateInput::deserialize(d)?;
        match value {
            DateInput::Toml(dt) => match (dt.date, dt.time) {
                (Some(date), None) => Date::new(date.year, date.month, date.day)
                    .ok_or_else(|| D::Error::custom(format!("存在しない日付です: {date}"))),
                _ => Err(D::Error::custom(format!(
                    "{EXPECTED}が必要ですが、時刻付きの値 {dt} が書かれています"
                ))),
            },
            // CSV cells and quoted TOML strings arrive as text.
            DateInput::Text(text) => Date::parse(&text).ok_or_else(|| {
                D::Error::custom(format!(
                    "{EXPECTED}が必要ですが、\"{text}\" が書かれています"
                ))
            }),
        }
    }
}

// TOML writes a date natively; editors (taplo) and JSON validators see it as
// a string of format "date", which is also what a CSV cell gives.
impl schemars::JsonSchema for Date {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "Date".into()
    }

    fn inline_schema() -> bool {
        true
    }

    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({
            "type": "string",
            "format": "date",
            "description": "日付（引用符なしで 2025-04-01 のように書きます）",
        })
    }
}

#[derive(Deserialize)]
#[serde(untagged)]
enum DateInput {
    Toml(toml::value::Datetime),
    Text(String),
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unix_days_round_trips() {
        for days in [-1000, 0, 59, 60, 365, 10_957, 20_000, 20_414, 30_000] {
            let d = Date::from_unix_days(days).unwrap();
            assert_eq!(d.unix_days(), days, "{d}");
        }
        assert_eq!(Date::new(2025, 4, 1).unwrap().unix_days(), 20_179);
    }

    #[test]
    fn parses_office_forms_and_rejects_impossible_dates() {
        assert_eq!(Date::parse("2020/12/1"), Date::new(2020, 12, 1));
        assert_eq!(Date::parse("2024-02-29"), Date::new(2024, 2, 29));
        assert_eq!(Date::parse("2023-02-29"), None);
        assert_eq!(Date::parse("2023-13-01"), None);
        assert_eq!(Date::parse("昨日"), None);
    }

    #[test]
    fn unix_days_round_trip_known_dates() {
        assert_eq!(Date::from_unix_days(0), Date::new(1970, 1, 1));
        assert_eq!(Date::from_unix_days(20_089), Date::new(2025, 1, 1));
        assert_eq!(Date::from_unix_days(19_782), Date::new(2024, 2, 29));
    }
}
