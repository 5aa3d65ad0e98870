//! The objective page shows each key result's forecast: its cone on the burn-up chart
//! (data for uPlot in the page) and the forecast in words beside it; a key result with
//! fewer than three check-ins says why it has none yet.

use crate::harness::{Api, Org, at_hours};
use crate::ui::{Browser, seed};
use serde_json::json;

http_test!(the_objective_page_shows_the_forecast_cone_and_its_probability_in_words, |api: Api| async move {
    let org = Org::new(&api, "acme").await;
    let seeded = seed(&org).await;
    // "Raise weekly active teams from 10 to 30" is at 20 now; two earlier check-ins make
    // three points: 19 two weeks ago, 16 a week ago. The pairs' rates are −3 a week
    // (weight 7 days), +4 a week (7) and +1 in two weeks (14): the median, 1/14 a day,
    // continued from 20 for the 46 days left ends at 23.29. With the prior's noise (the
    // one earlier step has no residual) the spread is √(64/60 × (46 + 46²/14)) = 14.5,
    // and Student's t with 4 degrees of freedom puts 33% past 30.
    for (days_ago, value) in [(14, 19), (7, 16)] {
        org.api.check_in(seeded.on_track, json!({"value": value, "checked_in_at": at_hours(-days_ago * 24)})).await;
    }
    let browser = Browser::logged_in(&api, &seeded.member).await;
    let page = browser.get(&format!("/objectives/{}", seeded.objective)).await;
    assert_eq!(page.status, 200, "{}", page.text);
    let text = page.text;
    let block = |title: &str| {
        let start = text.find(title).unwrap_or_else(|| panic!("{title} on the page: {text}"));
        let end = text[start..].find("</article>").map_or(text.len(), |e| start + e);
        text[start..end].to_owned()
    };
    let forecast = block("Raise weekly active teams from 10 to 30");
    assert!(forecast.contains("Forecast for the cycle&#39;s end: 23.29"), "{forecast}");
    assert!(forecast.contains("from 3 points; unlikely (33%) to reach the target."), "{forecast}");
    assert!(forecast.contains("the shaded cone is the forecast"), "{forecast}");
    // The chart's data carry the cone: the forecast line and its edges.
    assert!(forecast.contains("&#34;forecast&#34;:{&#34;value&#34;:["), "{forecast}");
    // One check-in is not enough for a forecast.
    let lagging = block("Cut churn from 8% to 4%");
    assert!(lagging.contains("No forecast yet: it needs three check-ins"), "{lagging}");
    assert!(!lagging.contains("&#34;forecast&#34;") && !lagging.contains("shaded cone"), "{lagging}");
});
