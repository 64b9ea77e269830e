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
        // Four-digit years only, as TOML and ISO 8601 write them (and as jiff
        // counts days): "60210-02-02", a date field's typo, is not a date far
        // in the future that every day-count would get wrong.
        ((1..=9999).contains(&year) && (1..=days).contains(&day)).then_some(Self {
            year,
            month,
            day,
        })
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

    /// Today in Japan (Asia/Tokyo) by the system clock: from 00:00 to 09:00
    /// JST the UTC date is still yesterday's.
    pub fn today() -> Option<Self> {
        Self::in_japan(jiff::Timestamp::now())
    }

    /// `SOURCE_DATE_EPOCH` (seconds since 1970, UTC), as a date in Japan.
    pub fn source_date_epoch() -> Option<Self> {
        let secs: i64 = std::env::var("SOURCE_DATE_EPOCH")
            .ok()?
            .trim()
            .parse()
            .ok()?;
        Self::in_japan(jiff::Timestamp::from_second(secs).ok()?)
    }

    /// The calendar date in Japan at an instant. Japan has kept UTC+9 without
    /// summer time since 1951, so the fixed offset gives Asia/Tokyo's date
    /// without reading the tz database (absent on a bare Windows install, and
    /// a cost `check` need not pay).
    pub fn in_japan(at: jiff::Timestamp) -> Option<Self> {
        Self::from_civil(jiff::tz::offset(9).to_datetime(at).date())
    }

    /// The one "today" of every command: `--today` overrides it; else
    /// `SOURCE_DATE_EPOCH` for reproducible runs, else the date in Japan by the
    /// clock. Used for warnings (dates in the future, stale reviews, drills in
    /// the last 12 months, end of support) and the starter TOML; nothing
    /// printed in the plan's PDF may depend on it.
    pub fn now() -> Self {
        Self::source_date_epoch()
            .or_else(Self::today)
            .unwrap_or(Self {
                year: 1970,
                month: 1,
                day: 1,
            })
    }

    fn civil(&self) -> jiff::civil::Date {
        // Built by `new`, so always a real date within jiff's range.
        jiff::civil::Date::new(self.year as i16, self.month as i8, self.day as i8)
            .unwrap_or_default()
    }

    fn from_civil(d: jiff::civil::Date) -> Option<Self> {
        Self::new(
            u16::try_from(d.year()).ok()?,
            u8::try_from(d.month()).ok()?,
            u8::try_from(d.day()).ok()?,
        )
    }

    /// Days from `self` to `later` (negative when `later` is earlier).
    pub fn days_until(&self, later: Date) -> i64 {
        i64::from((later.civil() - self.civil()).get_days())
    }

    /// The same day `years` years earlier (29 February becomes 28 February).
    pub fn years_before(&self, years: i16) -> Date {
        self.civil()
            .checked_sub(jiff::Span::new().years(years))
            .ok()
            .and_then(Self::from_civil)
            .unwrap_or(*self)
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
    fn parses_office_forms_and_rejects_impossible_dates() {
        assert_eq!(Date::parse("2020/12/1"), Date::new(2020, 12, 1));
        assert_eq!(Date::parse("2024-02-29"), Date::new(2024, 2, 29));
        // A five-digit year is refused, not taken as a far future (its days
        // from today came out as thousands of years in the past).
        assert_eq!(Date::parse("60210-02-02"), None);
        let last = Date::new(9999, 12, 31).unwrap();
        assert!(Date::new(2026, 12, 4).unwrap().days_until(last) > 0);
        assert_eq!(Date::parse("2023-02-29"), None);
        assert_eq!(Date::parse("2023-13-01"), None);
        assert_eq!(Date::parse("昨日"), None);
    }

    #[test]
    fn day_arithmetic() {
        let d = |s| Date::parse(s).unwrap();
        assert_eq!(d("2025-01-01").days_until(d("2025-12-31")), 364);
        assert_eq!(d("2024-03-01").days_until(d("2024-02-28")), -2);
        assert_eq!(d("2024-02-29").years_before(1), d("2023-02-28"));
        assert_eq!(d("2026-11-23").years_before(1), d("2025-11-23"));
    }

    #[test]
    fn today_is_the_date_in_japan() {
        let at = |s: &str| s.parse::<jiff::Timestamp>().unwrap();
        // 08:59 JST is still the previous day in UTC.
        assert_eq!(
            Date::in_japan(at("2026-11-22T23:59:00Z")),
            Date::new(2026, 11, 23)
        );
        assert_eq!(
            Date::in_japan(at("2026-11-22T14:59:59Z")),
            Date::new(2026, 11, 22)
        );
        assert_eq!(
            Date::in_japan(at("2026-11-22T15:00:00Z")),
            Date::new(2026, 11, 23)
        );
        // The fixed offset is Asia/Tokyo's wherever the tz database has it.
        if let Ok(tokyo) = jiff::tz::TimeZone::get("Asia/Tokyo") {
            for s in [
                "1960-01-01T00:00:00Z",
                "2026-06-30T15:00:00Z",
                "2099-12-31T14:59:59Z",
            ] {
                let civil = at(s).to_zoned(tokyo.clone()).date();
                assert_eq!(Date::in_japan(at(s)), Date::from_civil(civil), "{s}");
            }
        }
    }
}
