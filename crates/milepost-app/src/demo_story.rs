//! The demo workspace as plain data: Acme Outfitters, an online outdoor-gear shop, with its
//! teams, people, two quarters of OKRs with weekly check-ins, initiatives and a year of KPI
//! history.
//!
//! Everything is computed from `today` alone, so the same date always tells the same story:
//! no I/O, no clock, and no randomness beyond a small generator seeded from fixed names. The
//! loader turns this into workspace rows through the app layer; this module only describes
//! them.
//!
//! The story a newcomer should see: three company objectives for the quarter, broken down
//! into team and personal OKRs. Most key results are on pace; a few are at risk; member
//! churn, wholesale accounts and referral sign-ups are off track and their owners say why.
//! The referral launch and Dana's macro library finished early, email revenue has had no
//! check-in for weeks (stale), and the deploy-frequency key result reports high confidence
//! while its value has not moved (diverging). Last quarter closed with green, yellow and red
//! scores. Among the KPIs, member churn and the returns rate are lagging; churn already has an
//! OKR working on it, returns do not.

use jiff::civil::{Date, Weekday};
use jiff::tz::TimeZone;
use jiff::{Span, Timestamp};
use std::f64::consts::TAU;

/// The whole demo workspace, ready to be loaded in order: teams, people, cycles, objectives
/// (with key results and check-ins), initiatives, KPIs.
#[derive(Debug, Clone, PartialEq)]
pub struct DemoStory {
    /// Display name of the workspace.
    pub workspace_name: String,
    /// Workspace slug; always `"demo"`.
    pub workspace_slug: String,
    /// The team tree; a parent is always listed before its children.
    pub teams: Vec<DemoTeam>,
    /// People of the workspace.
    pub people: Vec<DemoPerson>,
    /// The previous quarter (closed) and the quarter containing `today` (active), in that order.
    pub cycles: Vec<DemoCycle>,
    /// Objectives of both cycles; a parent is always listed before its children.
    pub objectives: Vec<DemoObjective>,
    /// Initiatives, each rolling up to one or more key results.
    pub initiatives: Vec<DemoInitiative>,
    /// KPIs with a year of measurements.
    pub kpis: Vec<DemoKpi>,
}

/// A team in the company tree.
#[derive(Debug, Clone, PartialEq)]
pub struct DemoTeam {
    /// Unique slug, e.g. `"customer-support"`.
    pub slug: String,
    /// Display name.
    pub name: String,
    /// Slug of the parent team; `None` for the root.
    pub parent: Option<String>,
}

/// A person of the workspace.
#[derive(Debug, Clone, PartialEq)]
pub struct DemoPerson {
    /// Lowercase handle, e.g. `"dana"`; the key other records use to refer to the person.
    pub handle: String,
    /// Full name.
    pub name: String,
    /// Email address at example.com.
    pub email: String,
    /// Role: `"admin"`, `"editor"`, `"member"` or `"viewer"`.
    pub role: &'static str,
    /// Slug of the team the person belongs to, if any.
    pub team: Option<String>,
}

/// A quarter-long cycle.
#[derive(Debug, Clone, PartialEq)]
pub struct DemoCycle {
    /// Slug, e.g. `"2026-q3"`.
    pub slug: String,
    /// Display name, e.g. `"2026 Q3"`.
    pub name: String,
    /// First day of the cycle.
    pub start: Date,
    /// Last day of the cycle, inclusive.
    pub end: Date,
    /// `"closed"` or `"active"`.
    pub status: &'static str,
}

/// An objective with its key results.
#[derive(Debug, Clone, PartialEq)]
pub struct DemoObjective {
    /// Key unique within the story, used for alignment.
    pub key: String,
    /// Slug of the cycle the objective belongs to.
    pub cycle: String,
    /// Title, qualitative and inspiring.
    pub title: String,
    /// A sentence or two on why the objective matters.
    pub description: String,
    /// Owning team slug; exactly one of `owner_team` and `owner_person` is set.
    pub owner_team: Option<String>,
    /// Owning person handle; exactly one of `owner_team` and `owner_person` is set.
    pub owner_person: Option<String>,
    /// `"committed"` or `"aspirational"`.
    pub commitment: &'static str,
    /// Key of the parent objective in the same cycle; `None` for company objectives.
    pub parent: Option<String>,
    /// Whether the objective's progress also rolls up its aligned child objectives.
    pub rollup_children: bool,
    /// Three to five key results.
    pub key_results: Vec<DemoKeyResult>,
}

/// A key result with its check-ins.
#[derive(Debug, Clone, PartialEq)]
pub struct DemoKeyResult {
    /// Key unique within the story.
    pub key: String,
    /// The sentence as a person writes it.
    pub title: String,
    /// `"increase"`, `"decrease"`, `"maintain"`, `"range"` or `"milestone"`.
    pub kind: &'static str,
    /// What is measured, e.g. `"first response time"`.
    pub metric: String,
    /// Unit of the values, if any.
    pub unit: Option<&'static str>,
    /// Start value; set for increase and decrease only.
    pub start: Option<f64>,
    /// Target for increase and decrease, the threshold for maintain; `None` otherwise.
    pub target: Option<f64>,
    /// The band `(low, high)` for range key results only.
    pub range: Option<(f64, f64)>,
    /// `">="` or `"<="` for maintain key results only.
    pub comparator: Option<&'static str>,
    /// Weight within the objective, greater than zero.
    pub weight: f64,
    /// Owner's handle.
    pub owner: String,
    /// Slug of the KPI that feeds this key result, if any.
    pub kpi: Option<String>,
    /// Check-ins in time order.
    pub check_ins: Vec<DemoCheckIn>,
}

/// One weekly check-in on a key result, authored by its owner.
#[derive(Debug, Clone, PartialEq)]
pub struct DemoCheckIn {
    /// When the check-in was made; inside its cycle and before `today`.
    pub at: Timestamp,
    /// The new value (0 or 1 for milestones).
    pub value: f64,
    /// The owner's confidence, 0 to 10.
    pub confidence: u8,
    /// A short human note.
    pub note: String,
    /// What stands in the way, if anything.
    pub blockers: Option<String>,
}

/// A project or task rolling up to key results.
#[derive(Debug, Clone, PartialEq)]
pub struct DemoInitiative {
    /// Title.
    pub title: String,
    /// Owner's handle.
    pub owner: String,
    /// `"planned"`, `"active"`, `"done"` or `"dropped"`.
    pub status: &'static str,
    /// Due date, if any.
    pub due: Option<Date>,
    /// Link to the tracker, if any.
    pub link: Option<String>,
    /// Keys of the key results it rolls up to.
    pub key_results: Vec<String>,
}

/// A KPI with a year of measurements.
#[derive(Debug, Clone, PartialEq)]
pub struct DemoKpi {
    /// Unique slug.
    pub slug: String,
    /// Display name.
    pub name: String,
    /// What is measured and how.
    pub description: String,
    /// Owner's handle.
    pub owner: String,
    /// Unit of the values, if any.
    pub unit: Option<&'static str>,
    /// `"higher_is_better"`, `"lower_is_better"` or `"within_range"`.
    pub direction: &'static str,
    /// Target; `None` for `within_range`.
    pub target: Option<f64>,
    /// The healthy band `(low, high)`, for `within_range` only.
    pub range: Option<(f64, f64)>,
    /// Absolute distance from the target (or band) that is still amber.
    pub warning_band: f64,
    /// `"daily"`, `"weekly"` or `"monthly"`.
    pub cadence: &'static str,
    /// `"kpi"` or `"metric"`.
    pub tier: &'static str,
    /// Free-form tags.
    pub tags: Vec<String>,
    /// A year of `(time measured, value)` ending yesterday, in time order.
    pub measurements: Vec<(Timestamp, f64)>,
}

/// Builds the demo story for the given day; see the module documentation for the plot.
pub fn demo_story(today: Date) -> DemoStory {
    let current = Quarter::containing(today);
    let previous = Quarter::containing(current.start.saturating_sub(days(1)));
    let objectives = objectives(previous, current, today);
    let kpis = kpis(&objectives, current.start, today);
    let team = |&(slug, name, parent): &(&str, &str, Option<&str>)| DemoTeam {
        slug: slug.into(),
        name: name.into(),
        parent: parent.map(Into::into),
    };
    let person = |&(handle, name, role, team): &(&str, &str, &'static str, Option<&str>)| DemoPerson {
        handle: handle.into(),
        name: name.into(),
        email: format!("{}@example.com", name.to_lowercase().replace(' ', ".")),
        role,
        team: team.map(Into::into),
    };
    let initiative = |&(title, owner, status, due, link, keys): &InitiativeRow| DemoInitiative {
        title: title.into(),
        owner: owner.into(),
        status,
        due: due.map(|offset| current.start.saturating_add(days(offset))),
        link: link.map(Into::into),
        key_results: keys.iter().map(|&key| key.into()).collect(),
    };
    DemoStory {
        workspace_name: "Acme Outfitters".into(),
        workspace_slug: "demo".into(),
        teams: TEAMS.iter().map(team).collect(),
        people: PEOPLE.iter().map(person).collect(),
        cycles: vec![previous.cycle("closed"), current.cycle("active")],
        objectives,
        initiatives: INITIATIVES.iter().map(initiative).collect(),
        kpis,
    }
}

/// A calendar quarter.
#[derive(Debug, Clone, Copy)]
struct Quarter {
    start: Date,
    end: Date,
}

impl Quarter {
    fn containing(day: Date) -> Quarter {
        let back = Span::new().months((day.month() - 1) % 3);
        let start = day.first_of_month().saturating_sub(back);
        let end = start.saturating_add(Span::new().months(3)).saturating_sub(days(1));
        Quarter { start, end }
    }

    /// The slug and display name, e.g. `("2026-q3", "2026 Q3")`.
    fn names(self) -> (String, String) {
        let (year, number) = (self.start.year(), (self.start.month() - 1) / 3 + 1);
        (format!("{year}-q{number}"), format!("{year} Q{number}"))
    }

    fn cycle(self, status: &'static str) -> DemoCycle {
        let (slug, name) = self.names();
        DemoCycle { slug, name, start: self.start, end: self.end, status }
    }

    fn length_in_days(self) -> i64 {
        days_between(self.start, self.end) + 1
    }

    /// One check-in a week, on Fridays, from the first Friday at least two days in, up to
    /// `weeks` of them, inside the quarter and before `today`.
    fn check_in_days(self, today: Date, weeks: i64) -> Vec<Date> {
        let settled = self.start.saturating_add(days(2));
        let to_friday = (4 - i64::from(settled.weekday().to_monday_zero_offset())).rem_euclid(7);
        (0..weeks)
            .map(|week| settled.saturating_add(days(to_friday + 7 * week)))
            .take_while(|&day| day <= self.end && day < today)
            .collect()
    }
}

/// Which of the story's two cycles a row belongs to.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Period {
    Previous,
    Current,
}

/// Who owns an objective: a team slug or a person handle.
#[derive(Debug, Clone, Copy)]
enum Owner {
    Team(&'static str),
    Person(&'static str),
}

/// The kind of a key result with its numbers.
#[derive(Debug, Clone, Copy)]
enum Shape {
    /// Increase or decrease from start to target.
    Move(f64, f64),
    /// Maintain: comparator, threshold, and how far on the good side values typically sit.
    Keep(&'static str, f64, f64),
    /// Stay within the band.
    Band(f64, f64),
    /// Done or not.
    Milestone,
}

/// How a key result's check-ins unfold over the cycle.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Pace {
    /// About at linear pace.
    OnTrack,
    /// About a fifth of the way behind pace, confidence 4 to 6.
    AtRisk,
    /// Barely moving, confidence 3 or less, notes and blockers saying why.
    OffTrack,
    /// Reaches the target well before the cycle ends.
    DoneEarly,
    /// On pace, but no check-in for the last three weeks.
    Stale,
    /// Confidence 8 while the value has not moved for five weeks.
    Flat,
    /// Closed cycle: ends at this share of the way to the target.
    Final(f64),
}

use Pace::{AtRisk, DoneEarly, Final, Flat, OffTrack, OnTrack, Stale};
use Period::{Current, Previous};
use Shape::{Band, Keep, Milestone, Move};

/// `(slug, name, parent)`, parents first.
#[rustfmt::skip]
const TEAMS: &[(&str, &str, Option<&str>)] = &[
    ("company", "Acme Outfitters", None),
    ("product-engineering", "Product & Engineering", Some("company")),
    ("platform", "Platform", Some("product-engineering")),
    ("storefront", "Storefront", Some("product-engineering")),
    ("customer-success", "Customer Success", Some("company")),
    ("customer-support", "Customer Support", Some("customer-success")),
    ("sales-marketing", "Sales & Marketing", Some("company")),
    ("growth", "Growth Marketing", Some("sales-marketing")),
];

/// `(handle, name, role, team)`; the email is derived from the name.
#[rustfmt::skip]
const PEOPLE: &[(&str, &str, &str, Option<&str>)] = &[
    ("alex", "Alex Morgan", "admin", Some("company")),
    ("priya", "Priya Raman", "editor", Some("product-engineering")),
    ("marco", "Marco Bianchi", "editor", Some("platform")),
    ("lena", "Lena Fischer", "member", Some("platform")),
    ("sam", "Sam Okafor", "editor", Some("storefront")),
    ("yuki", "Yuki Tanaka", "member", Some("storefront")),
    ("hannah", "Hannah Brooks", "editor", Some("customer-success")),
    ("dana", "Dana Whitfield", "member", Some("customer-support")),
    ("omar", "Omar Haddad", "member", Some("customer-support")),
    ("rosa", "Rosa Delgado", "editor", Some("sales-marketing")),
    ("kenji", "Kenji Watanabe", "member", Some("growth")),
    ("ben", "Ben Carter", "viewer", None),
];

/// `(key, period, owner, commitment, parent, rolls up children, title, description)`, parents first.
#[rustfmt::skip]
type ObjectiveRow =
    (&'static str, Period, Owner, &'static str, Option<&'static str>, bool, &'static str, &'static str);

#[rustfmt::skip]
const OBJECTIVES: &[ObjectiveRow] = &[
    ("prev-co-storefront", Previous, Owner::Team("company"), "committed", None, true,
     "Relaunch the storefront without losing a single sale",
     "The old shop could not carry us through another peak. Move every market to the new storefront and prove it sells more."),
    ("prev-co-loyalty", Previous, Owner::Team("company"), "aspirational", None, true,
     "Turn first-time buyers into regulars",
     "A guest who orders twice usually stays for years. Give people reasons to come back."),
    ("prev-platform-outages", Previous, Owner::Team("platform"), "committed", Some("prev-co-storefront"), false,
     "Stop losing orders to outages",
     "Every minute checkout is down costs us about $900. Make failures rare and short."),
    ("prev-support-help-centre", Previous, Owner::Team("customer-support"), "aspirational", Some("prev-co-loyalty"), false,
     "Build a help centre customers actually use",
     "Most questions we answer by hand are answered somewhere already. Make the answers easy to find."),
    ("prev-growth-email", Previous, Owner::Team("growth"), "aspirational", Some("prev-co-loyalty"), false,
     "Make our emails worth opening",
     "Fewer, better emails: tips from the trail, not just discounts."),
    ("co-easy-buying", Current, Owner::Team("company"), "committed", None, true,
     "Make Acme the easiest outdoor shop to buy from",
     "Shoppers should find the right gear, trust that it fits and pay in seconds, on any device."),
    ("co-trail-club", Current, Owner::Team("company"), "aspirational", None, false,
     "Grow revenue profitably, led by the Trail Club",
     "Members order twice as often as guests. Make membership the natural way to shop with us, and open channels that pay for themselves."),
    ("co-loyal-support", Current, Owner::Team("company"), "committed", None, true,
     "Win customers for life with support they rave about",
     "Fast, kind and right the first time: support is the part of Acme people tell their friends about."),
    ("platform-checkout", Current, Owner::Team("platform"), "committed", Some("co-easy-buying"), false,
     "Make checkout fast and boringly reliable",
     "Slow or failing checkouts are the most expensive bug we have."),
    ("storefront-mobile", Current, Owner::Team("storefront"), "aspirational", Some("co-easy-buying"), true,
     "Turn mobile browsers into happy buyers",
     "Two thirds of our visits are on a phone, but only a third of our orders."),
    ("support-tickets", Current, Owner::Team("customer-support"), "committed", Some("co-loyal-support"), true,
     "Streamline ticket resolution",
     "Answer sooner, solve for good, and stop the same questions coming back."),
    ("cs-retention", Current, Owner::Team("customer-success"), "committed", Some("co-trail-club"), false,
     "Keep Trail Club members coming back",
     "Churn crept up all year. Win back the members who drift away, before they leave."),
    ("growth-referrals", Current, Owner::Team("growth"), "aspirational", Some("co-trail-club"), false,
     "Launch the referral engine",
     "Our happiest members are our best marketers. Give them a reason to bring a friend."),
    ("sales-wholesale", Current, Owner::Team("sales-marketing"), "aspirational", Some("co-trail-club"), false,
     "Open a wholesale channel with outdoor clubs",
     "Hiking and climbing clubs buy gear in bulk every season; sell to them directly."),
    ("dana-fast-replies", Current, Owner::Person("dana"), "aspirational", Some("support-tickets"), false,
     "Be the fastest first responder on the team",
     "Dana's own stretch: show that fast and friendly replies can go together."),
    ("lena-sleep", Current, Owner::Person("lena"), "committed", Some("platform-checkout"), false,
     "Get paged less and sleep more",
     "Fewer, better alerts, and every one of them with a runbook."),
    ("yuki-product-page", Current, Owner::Person("yuki"), "aspirational", Some("storefront-mobile"), false,
     "Ship a mobile product page customers love",
     "Fast images, honest sizing and a sticky add-to-cart button."),
    ("kenji-referral-message", Current, Owner::Person("kenji"), "aspirational", Some("growth-referrals"), false,
     "Find the referral message that makes people share",
     "Test what members actually say to friends, then say it for them."),
];

/// `(objective, key, owner, pace, shape, unit, metric, title, [mid-cycle note, latest note], blocker)`.
#[rustfmt::skip]
type KeyResultRow = (
    &'static str, &'static str, &'static str, Pace, Shape, Option<&'static str>,
    &'static str, &'static str, [&'static str; 2], Option<&'static str>,
);

#[rustfmt::skip]
const KEY_RESULTS: &[KeyResultRow] = &[
    ("prev-co-storefront", "prev-storefront-launch", "sam", Final(1.0), Milestone, None, "new storefront live in all markets",
     "Launch the new storefront in all four markets",
     ["US and Canada switched over; UK and EU follow in two weeks.", "All four markets live. The old shop was switched off on Friday."], None),
    ("prev-co-storefront", "prev-online-revenue", "rosa", Final(0.7), Move(1_100_000.0, 1_400_000.0), Some("USD"), "monthly online revenue",
     "Grow online revenue from $1.1M to $1.4M a month",
     ["The seasonal campaign landed well in the US.", "Closed at $1.31M: a good quarter, short of the stretch."], None),
    ("prev-co-storefront", "prev-repeat-rate", "hannah", Final(0.3), Move(22.0, 30.0), Some("%"), "repeat purchase rate",
     "Raise repeat purchase rate from 22% to 30%",
     ["Loyalty emails delayed by the storefront move.", "Ended at 24.4%. Repeat buying needs the Trail Club work, not more emails."],
     Some("Loyalty emails paused during the storefront migration")),
    ("prev-co-loyalty", "prev-nps", "hannah", Final(0.86), Move(38.0, 45.0), None, "net promoter score",
     "Raise NPS from 38 to 45",
     ["The survey now goes out the day after delivery, not a week later.", "Finished at 44, our best ever."], None),
    ("prev-co-loyalty", "prev-club-members", "rosa", Final(0.96), Move(7_000.0, 9_500.0), None, "paying Trail Club members",
     "Grow paying Trail Club members from 7,000 to 9,500",
     ["Free shipping for members is doing the heavy lifting.", "9,400 members at close, just short."], None),
    ("prev-co-loyalty", "prev-order-value", "sam", Final(1.0), Band(85.0, 100.0), Some("USD"), "average order value",
     "Keep average order value between $85 and $100",
     ["Bundles nudged it up without leaving the band.", "Finished the quarter inside the band."], None),
    ("prev-platform-outages", "prev-failed-payments", "marco", Final(1.0), Move(3.5, 1.0), Some("%"), "failed payments",
     "Cut failed payments from 3.5% to 1%",
     ["Retries with the backup card processor are live.", "Done: failed payments down to 1%."], None),
    ("prev-platform-outages", "prev-recovery-time", "lena", Final(0.75), Move(90.0, 30.0), Some("min"), "mean time to recover",
     "Cut mean time to recover from 90 min to 30 min",
     ["One-click rollback works for the storefront, not yet for payments.", "Down to 45 min. Payments rollback is next quarter's work."], None),
    ("prev-platform-outages", "prev-api-errors", "marco", Final(1.0), Keep("<=", 1.0, 0.25), Some("%"), "order API error rate",
     "Keep order API error rate at or below 1%",
     ["One bad deploy, rolled back within the hour.", "Ended the quarter inside the limit."], None),
    ("prev-support-help-centre", "prev-support-deflection", "omar", Final(0.5), Move(5.0, 15.0), Some("%"), "questions solved by self-service",
     "Deflect 15% of questions to self-service, up from 5%",
     ["Top 50 questions now have articles.", "Ended at 10%. Search inside the help centre is still poor."], None),
    ("prev-support-help-centre", "prev-support-response", "dana", Final(1.0), Move(12.0, 8.0), Some("h"), "first response time",
     "Cut first response time from 12h to 8h",
     ["Weekend rota started.", "Hit 8h. Next quarter we aim much lower."], None),
    ("prev-support-help-centre", "prev-support-languages", "omar", Final(0.0), Milestone, None, "help centre in French and German",
     "Publish the help centre in French and German",
     ["Translation agency booked; glossary agreed.", "Did not ship: the agency delivered a month late. Back on the backlog."],
     Some("Translation agency a month behind schedule")),
    ("prev-growth-email", "prev-email-open-rate", "kenji", Final(0.7), Move(18.0, 25.0), Some("%"), "email open rate",
     "Grow email open rate from 18% to 25%",
     ["Trail tips newsletter beats discount blasts two to one.", "Closed at 22.9%. Cutting the send volume helped most."], None),
    ("prev-growth-email", "prev-email-revenue", "rosa", Final(1.0), Move(240_000.0, 310_000.0), Some("USD"), "monthly email revenue",
     "Grow email revenue from $240,000 to $310,000 a month",
     ["Abandoned-cart flow rebuilt.", "Target reached in the last week."], None),
    ("prev-growth-email", "prev-email-unsubscribes", "kenji", Final(1.0), Keep("<=", 0.4, 0.1), Some("%"), "unsubscribe rate",
     "Keep the unsubscribe rate at or below 0.4%",
     ["Fewer sends, fewer unsubscribes.", "Under the limit at close."], None),

    ("co-easy-buying", "easy-checkout-completion", "priya", OnTrack, Move(61.0, 70.0), Some("%"), "checkout completion rate",
     "Raise checkout completion from 61% to 70%",
     ["Express pay for returning customers is live.", "Address autocomplete shipped; completion has climbed since."], None),
    ("co-easy-buying", "easy-wrong-size", "sam", AtRisk, Move(9.0, 6.0), Some("%"), "orders returned as wrong size",
     "Cut orders returned as 'wrong size' from 9% to 6%",
     ["Fit finder beta on boots only so far.", "Returns lag orders by three weeks, and jackets still have no fit data."],
     Some("Size charts from two brands still missing")),
    ("co-easy-buying", "easy-refunds", "hannah", OnTrack, Move(9.0, 3.0), Some("days"), "time to refund a return",
     "Refund returns in 3 days, down from 9",
     ["The warehouse now scans returns on arrival.", "Refunds go out automatically on scan."], None),
    ("co-easy-buying", "easy-delivery", "alex", OnTrack, Move(88.0, 95.0), Some("%"), "orders delivered on time",
     "Raise on-time delivery from 88% to 95%",
     ["Second carrier added for the West Coast.", "Late parcels now flagged to customers before they ask."], None),
    ("co-trail-club", "club-mrr", "rosa", AtRisk, Move(238_000.0, 300_000.0), Some("USD"), "monthly recurring revenue",
     "Grow Trail Club MRR from $238,000 to $300,000",
     ["Annual plan launched; uptake slower than hoped.", "Growing, but not steeply enough; referrals must carry the rest."],
     Some("Annual plan price change waiting on finance sign-off")),
    ("co-trail-club", "club-members", "kenji", OnTrack, Move(9_400.0, 12_000.0), None, "paying Trail Club members",
     "Grow paying Trail Club members from 9,400 to 12,000",
     ["Checkout now offers membership with the first order.", "Steady sign-ups from the checkout offer."], None),
    ("co-trail-club", "club-orders", "hannah", OnTrack, Move(1.9, 2.4), None, "orders per member per quarter",
     "Members order 2.4 times a quarter, up from 1.9",
     ["Members-only early access drove a good week.", "Replenishment reminders for socks and fuel are working."], None),
    ("co-trail-club", "club-app", "priya", OnTrack, Milestone, None, "Trail Club app live in both stores",
     "Launch the Trail Club app on iOS and Android",
     ["Beta open to 200 members.", "Both apps submitted for store review."], None),
    ("co-loyal-support", "loyal-nps", "hannah", OnTrack, Move(44.0, 50.0), None, "net promoter score",
     "Raise NPS from 44 to 50",
     ["Promoters mention fast refunds more and more.", "Detractors are mostly about late parcels; delivery work should help."], None),
    ("co-loyal-support", "loyal-csat", "hannah", OnTrack, Keep(">=", 92.0, 1.2), Some("%"), "CSAT",
     "Keep CSAT at or above 92%",
     ["Dipped after the carrier delays, recovered the week after.", "Holding above the line."], None),
    ("co-loyal-support", "loyal-questions", "omar", OnTrack, Move(70.0, 90.0), Some("%"), "product questions answered within a day",
     "Answer 90% of product questions within a day, up from 70%",
     ["Brand reps now answer technical questions directly.", "Weekend backlog cleared by Monday noon."], None),
    ("platform-checkout", "platform-latency", "marco", OnTrack, Move(1_200.0, 800.0), Some("ms"), "p95 checkout latency",
     "Cut p95 checkout latency from 1200 ms to 800 ms",
     ["Shipping-rate lookups are cached; the biggest single win so far.", "The payments API move took another slice off the tail."], None),
    ("platform-checkout", "platform-errors", "lena", OnTrack, Keep("<=", 0.5, 0.15), Some("%"), "checkout error rate",
     "Keep checkout error rate at or below 0.5%",
     ["A bad config push on Tuesday; rolled back in ten minutes.", "Quiet week."], None),
    ("platform-checkout", "platform-deploys", "priya", Flat, Move(2.0, 5.0), None, "checkout deploys per week",
     "Deploy checkout 5 times a week, up from 2",
     ["New pipeline in review.", "No jump yet, but the pipeline rewrite is nearly done. Confident we hit five."], None),
    ("platform-checkout", "platform-payments-api", "marco", OnTrack, Milestone, None, "card payments on the new payments API",
     "Move all card payments to the new payments API",
     ["10% of card payments on the new API, no errors.", "Half of the traffic moved; the rest after the next sale."], None),
    ("storefront-mobile", "storefront-mobile-conversion", "sam", AtRisk, Move(1.6, 2.2), Some("%"), "mobile conversion rate",
     "Lift mobile conversion from 1.6% to 2.2%",
     ["New product page in A/B test on 20% of traffic.", "Gains from the new page are real but small until it reaches everyone."],
     Some("Design system update blocking the new product page rollout")),
    ("storefront-mobile", "storefront-search", "yuki", OnTrack, Move(12.0, 5.0), Some("%"), "searches with no results",
     "Cut searches with no results from 12% to 5%",
     ["Synonyms added: 'puffer' now finds down jackets.", "Typo tolerance shipped."], None),
    ("storefront-mobile", "storefront-page-load", "yuki", OnTrack, Move(3.8, 2.5), Some("s"), "largest contentful paint on mobile",
     "Cut mobile page load (LCP) from 3.8 s to 2.5 s",
     ["Hero images now served in AVIF.", "Fonts preloaded; the last big item is the reviews widget."], None),
    ("storefront-mobile", "storefront-fit-finder", "sam", OnTrack, Milestone, None, "fit finder on boot and jacket pages",
     "Launch the fit finder on all boot and jacket pages",
     ["Boots done; jackets need size charts from two brands.", "Jacket data is in; final QA this week."], None),
    ("support-tickets", "support-throughput", "omar", OnTrack, Move(500.0, 600.0), None, "tickets resolved per week",
     "Handle 20% more tickets each week",
     ["Shipped the new triage macro; backlog down 15%.", "Best week yet, with no drop in CSAT."], None),
    ("support-tickets", "support-first-response", "dana", OnTrack, Move(8.0, 2.0), Some("h"), "first response time",
     "Cut first response time from 8h to 2h",
     ["Triage macros live for the top ten ticket types.", "Early shift started; mornings no longer begin with a backlog."], None),
    ("support-tickets", "support-recurring", "omar", AtRisk, Move(240.0, 168.0), None, "recurring tickets per week",
     "Reduce recurring tickets by 30%",
     ["'Where is my order' is a third of all recurring tickets.", "Tracking emails fixed; the carrier API change is the big remaining piece."],
     Some("Root-cause fix for 'where is my order' needs a carrier API change")),
    ("support-tickets", "support-reopened", "hannah", OnTrack, Keep("<=", 8.0, 1.5), Some("%"), "reopened tickets",
     "Keep reopened tickets at or below 8%",
     ["Closing only after the customer confirms.", "Comfortably under the line."], None),
    ("cs-retention", "cs-churn", "hannah", OffTrack, Move(4.2, 2.5), Some("%"), "monthly member churn",
     "Bring monthly member churn from 4.2% to 2.5%",
     ["Exit survey live: price and 'not hiking enough' lead.", "Still far above 3%. The save flow slipped again, so we only reach people after they leave."],
     Some("Cancellation save flow waiting on billing provider webhooks")),
    ("cs-retention", "cs-save-rate", "hannah", AtRisk, Move(20.0, 35.0), Some("%"), "cancellations saved",
     "Save 35% of members who try to cancel, up from 20%",
     ["Pause-instead-of-cancel offered by phone only for now.", "Phone saves work; we need the in-app flow to scale them."],
     Some("In-app pause option depends on the billing webhooks")),
    ("cs-retention", "cs-second-order", "omar", OnTrack, Move(31.0, 40.0), Some("%"), "members ordering again within 60 days",
     "Raise members who order again within 60 days from 31% to 40%",
     ["Welcome call script rewritten around the first trip.", "Second-order coupon now expires in 30 days; more people use it."], None),
    ("cs-retention", "cs-discount-spend", "rosa", OnTrack, Band(18_000.0, 22_000.0), Some("USD"), "monthly member discount spend",
     "Keep member discount spend between $18,000 and $22,000 a month",
     ["Capped stacking of member and sale discounts.", "Inside the band."], None),
    ("growth-referrals", "growth-referral-launch", "kenji", DoneEarly, Milestone, None, "referral program live",
     "Launch the referral program",
     ["Reward rules agreed with finance.", "Live for all members, weeks ahead of plan."], None),
    ("growth-referrals", "growth-referral-signups", "kenji", OffTrack, Move(0.0, 1_500.0), None, "referred sign-ups",
     "Get 1,500 new members from referrals",
     ["First referrals are coming in.", "Far below plan: a $10 credit is not worth a share. A bigger reward is with finance."],
     Some("Bigger referral reward needs finance approval")),
    ("growth-referrals", "growth-acquisition-cost", "rosa", OnTrack, Move(42.0, 30.0), Some("USD"), "blended acquisition cost",
     "Cut blended acquisition cost from $42 to $30",
     ["Paused the two worst search campaigns.", "Organic trail guides bring cheap, loyal sign-ups."], None),
    ("growth-referrals", "growth-email-revenue", "rosa", Stale, Move(310_000.0, 380_000.0), Some("USD"), "monthly email revenue",
     "Grow email revenue from $310,000 to $380,000 a month",
     ["Segmented the list by activity: hikers, climbers, paddlers.", "The sale email did well; next update after the offsite."], None),
    ("sales-wholesale", "sales-accounts", "alex", OffTrack, Move(4.0, 25.0), None, "wholesale club accounts",
     "Sign 25 outdoor clubs as wholesale accounts, up from 4",
     ["Twelve clubs in talks.", "Hardly any new signatures: every club waits for the final contract. Legal promises it this month."],
     Some("Wholesale contract template stuck in legal review")),
    ("sales-wholesale", "sales-orders", "rosa", AtRisk, Move(0.0, 120_000.0), Some("USD"), "wholesale order value",
     "Book $120,000 in wholesale orders",
     ["First bulk order from the Cascade Hiking Club.", "Existing clubs order well; new ones are stuck behind the contract."],
     Some("New accounts blocked on the contract template")),
    ("sales-wholesale", "sales-catalogue", "kenji", OnTrack, Milestone, None, "wholesale catalogue and price list published",
     "Publish the wholesale catalogue and price list",
     ["Dropped the printed version; going online only.", "Online catalogue in review with the first three clubs."], None),
    ("sales-wholesale", "sales-europe", "rosa", OnTrack, Move(80_000.0, 110_000.0), Some("EUR"), "monthly EU online sales",
     "Grow EU online sales from €80,000 to €110,000 a month",
     ["German site localised; prices shown with VAT.", "Free returns in the EU are paying off."], None),
    ("dana-fast-replies", "dana-median-reply", "dana", OnTrack, Move(3.0, 1.0), Some("h"), "my median first reply",
     "Cut my median first reply from 3 h to 1 h",
     ["Answering the queue first thing, before email.", "Saved replies for sizing questions save me ten minutes an hour."], None),
    ("dana-fast-replies", "dana-macros", "dana", DoneEarly, Move(12.0, 40.0), None, "triage macros published",
     "Publish 40 triage macros, up from 12",
     ["Shipped the new triage macro set for returns; backlog down 15%.", "All 40 macros live. Now pruning the ones nobody uses."], None),
    ("dana-fast-replies", "dana-csat", "dana", OnTrack, Keep(">=", 94.0, 1.5), Some("%"), "my CSAT",
     "Keep my CSAT at or above 94%",
     ["One angry customer about a lost parcel; resolved.", "Steady."], None),
    ("lena-sleep", "lena-pages", "lena", OnTrack, Move(14.0, 4.0), None, "out-of-hours pages per month",
     "Cut out-of-hours pages from 14 to 4 a month",
     ["Deleted six alerts nobody acted on.", "Disk alerts now wait until morning unless the disk fills within hours."], None),
    ("lena-sleep", "lena-recovery-time", "lena", AtRisk, Move(45.0, 20.0), Some("min"), "mean time to recover",
     "Cut time to recover from incidents from 45 min to 20 min",
     ["Payments rollback drafted.", "Two slow recoveries this month, both on alerts that still page the old tool."],
     Some("Two alerts still route to the old on-call tool")),
    ("lena-sleep", "lena-runbooks", "lena", OnTrack, Move(40.0, 100.0), Some("%"), "checkout alerts with a runbook",
     "Cover 100% of checkout alerts with a runbook, up from 40%",
     ["Runbook template agreed with the team.", "Every new alert now needs a runbook before it can page."], None),
    ("yuki-product-page", "yuki-time-to-interactive", "yuki", OnTrack, Move(4_200.0, 2_500.0), Some("ms"), "product page time to interactive",
     "Cut product page time to interactive from 4200 ms to 2500 ms",
     ["Reviews widget now loads on scroll.", "Dropped the old carousel library."], None),
    ("yuki-product-page", "yuki-conversion-gap", "yuki", OnTrack, Move(1.5, 0.8), Some("pp"), "mobile–desktop conversion gap",
     "Close the mobile–desktop conversion gap from 1.5 pp to 0.8 pp",
     ["Sticky add-to-cart button in test.", "Gap narrowing as the new page rolls out."], None),
    ("yuki-product-page", "yuki-add-to-cart", "yuki", OnTrack, Move(7.0, 10.0), Some("%"), "mobile add-to-cart rate",
     "Raise mobile add-to-cart rate from 7% to 10%",
     ["Size picker no longer hides behind a tap.", "Colour swatches with real photos went live."], None),
    ("kenji-referral-message", "kenji-share-rate", "kenji", OnTrack, Move(3.0, 8.0), Some("%"), "members who share their referral link",
     "Raise the referral share rate from 3% to 8%",
     ["'Bring your hiking buddy' beats 'Give $10, get $10'.", "Share button moved to the order confirmation page."], None),
    ("kenji-referral-message", "kenji-click-through", "kenji", OnTrack, Move(2.1, 4.0), Some("%"), "referral email click-through",
     "Lift referral email click-through from 2.1% to 4%",
     ["Subject lines with the friend's name win.", "Plain-text version outperforms the designed one."], None),
    ("kenji-referral-message", "kenji-unsubscribes", "kenji", OnTrack, Keep("<=", 0.3, 0.08), Some("%"), "referral email unsubscribes",
     "Keep referral email unsubscribes at or below 0.3%",
     ["One reminder instead of three.", "Well under the limit."], None),
];

/// `(key result, KPI)`: key results fed by a KPI.
const KPI_LINKS: &[(&str, &str)] = &[
    ("platform-latency", "checkout-latency-p95"),
    ("support-first-response", "first-response-time"),
    ("cs-churn", "monthly-churn"),
];

/// Key results that count double within their objective.
const HEAVY_KEY_RESULTS: &[&str] = &["platform-latency", "support-first-response", "cs-churn"];

/// `(title, owner, status, due in days from the active cycle's start, link, key results)`.
#[rustfmt::skip]
type InitiativeRow =
    (&'static str, &'static str, &'static str, Option<i64>, Option<&'static str>, &'static [&'static str]);

#[rustfmt::skip]
const INITIATIVES: &[InitiativeRow] = &[
    ("Roll out triage macros in the help desk", "dana", "done", Some(20), Some("https://tracker.example.com/SUP-88"),
     &["support-first-response", "dana-macros"]),
    ("Move checkout to the new payments API", "marco", "active", Some(75), Some("https://tracker.example.com/PLAT-142"),
     &["platform-payments-api", "platform-latency"]),
    ("Cache product availability at the edge", "lena", "active", Some(55), Some("https://tracker.example.com/PLAT-151"),
     &["platform-latency", "storefront-page-load"]),
    ("Referral program v1", "kenji", "active", Some(30), Some("https://tracker.example.com/GRO-17"),
     &["growth-referral-launch", "growth-referral-signups"]),
    ("Printed wholesale catalogue", "rosa", "dropped", None, None, &["sales-catalogue"]),
    ("Cancellation save flow with a pause option", "hannah", "active", Some(60), Some("https://tracker.example.com/CS-9"),
     &["cs-save-rate", "cs-churn"]),
    ("Fit finder for boots and jackets", "yuki", "active", Some(70), None, &["storefront-fit-finder", "easy-wrong-size"]),
    ("Load-test checkout before the next sale", "lena", "planned", Some(84), None, &["platform-errors"]),
    ("Self-service returns portal", "omar", "planned", Some(80), Some("https://tracker.example.com/SUP-102"), &["easy-refunds"]),
    ("Help centre articles for the top 50 questions", "omar", "done", Some(-30), None, &["prev-support-deflection"]),
];

/// A KPI and the model its year of history is drawn from: `level` is the value at the active
/// cycle's start and `drift` the change per year; `yearly` (peak in late June), `weekend`
/// (daily KPIs only) and `noise` are amplitudes; `dip` sizes rare incidents, never in the last
/// week; `follows` names a key result whose check-ins the KPI passes through in the active cycle.
#[rustfmt::skip]
struct KpiRow {
    slug: &'static str, name: &'static str, description: &'static str, owner: &'static str,
    unit: Option<&'static str>, direction: &'static str, target: Option<f64>, range: Option<(f64, f64)>,
    warning_band: f64, cadence: &'static str, tier: &'static str, tags: &'static [&'static str],
    level: f64, drift: f64, yearly: f64, weekend: f64, noise: f64, dip: f64, decimals: i32,
    follows: Option<&'static str>,
}

#[rustfmt::skip]
const KPIS: &[KpiRow] = &[
    KpiRow { slug: "website-uptime", name: "Website uptime", owner: "lena", unit: Some("%"),
        description: "Share of one-minute probes of the storefront that succeeded, per day.",
        direction: "higher_is_better", target: Some(99.9), range: None, warning_band: 0.05, cadence: "daily", tier: "kpi",
        tags: &["reliability", "platform"], level: 99.96, drift: 0.0, yearly: 0.0, weekend: 0.0, noise: 0.02, dip: 0.4,
        decimals: 3, follows: None },
    KpiRow { slug: "checkout-latency-p95", name: "p95 checkout latency", owner: "marco", unit: Some("ms"),
        description: "95th percentile time from 'Pay now' to the order confirmation page.",
        direction: "lower_is_better", target: Some(800.0), range: None, warning_band: 150.0, cadence: "daily", tier: "kpi",
        tags: &["performance", "checkout"], level: 1_200.0, drift: 110.0, yearly: 0.0, weekend: 30.0, noise: 30.0, dip: 0.0,
        decimals: 0, follows: Some("platform-latency") },
    KpiRow { slug: "mrr", name: "Monthly recurring revenue", owner: "alex", unit: Some("USD"),
        description: "Trail Club membership revenue billed per month.",
        direction: "higher_is_better", target: Some(250_000.0), range: None, warning_band: 15_000.0, cadence: "weekly",
        tier: "kpi", tags: &["revenue", "trail-club"], level: 238_000.0, drift: 66_000.0, yearly: 0.0, weekend: 0.0,
        noise: 700.0, dip: 0.0, decimals: 0, follows: Some("club-mrr") },
    KpiRow { slug: "nps", name: "Net Promoter Score", owner: "hannah", unit: None,
        description: "From the post-delivery survey, trailing 30 days.",
        direction: "higher_is_better", target: Some(50.0), range: None, warning_band: 8.0, cadence: "weekly", tier: "kpi",
        tags: &["customers"], level: 44.0, drift: 6.0, yearly: 0.0, weekend: 0.0, noise: 1.2, dip: 0.0, decimals: 0,
        follows: Some("loyal-nps") },
    KpiRow { slug: "csat", name: "Customer satisfaction (CSAT)", owner: "hannah", unit: Some("%"),
        description: "Share of support conversations rated good or great, per week.",
        direction: "higher_is_better", target: Some(92.0), range: None, warning_band: 2.0, cadence: "weekly", tier: "kpi",
        tags: &["support", "customers"], level: 93.0, drift: 0.0, yearly: 0.0, weekend: 0.0, noise: 0.5, dip: 0.0,
        decimals: 1, follows: Some("loyal-csat") },
    KpiRow { slug: "monthly-churn", name: "Member churn", owner: "hannah", unit: Some("%"),
        description: "Share of Trail Club members who cancelled in the trailing 30 days.",
        direction: "within_range", target: None, range: Some((2.0, 3.0)), warning_band: 0.3, cadence: "weekly", tier: "kpi",
        tags: &["trail-club", "retention"], level: 4.2, drift: 1.1, yearly: 0.0, weekend: 0.0, noise: 0.08, dip: 0.0,
        decimals: 2, follows: Some("cs-churn") },
    KpiRow { slug: "first-response-time", name: "Support first response time", owner: "hannah", unit: Some("h"),
        description: "Median hours from a new ticket to the first human reply, per day.",
        direction: "lower_is_better", target: Some(4.0), range: None, warning_band: 1.0, cadence: "daily", tier: "kpi",
        tags: &["support"], level: 8.0, drift: 2.0, yearly: 0.0, weekend: 0.5, noise: 0.3, dip: 0.0, decimals: 1,
        follows: Some("support-first-response") },
    KpiRow { slug: "conversion-rate", name: "Storefront conversion rate", owner: "sam", unit: Some("%"),
        description: "Orders divided by sessions, all devices, per day.",
        direction: "higher_is_better", target: Some(3.2), range: None, warning_band: 0.3, cadence: "daily", tier: "kpi",
        tags: &["storefront", "revenue"], level: 3.02, drift: 0.0, yearly: 0.05, weekend: 0.03, noise: 0.03, dip: 0.0,
        decimals: 2, follows: None },
    KpiRow { slug: "returns-rate", name: "Returns rate", owner: "sam", unit: Some("%"),
        description: "Share of orders returned within 30 days of delivery.",
        direction: "lower_is_better", target: Some(8.0), range: None, warning_band: 1.0, cadence: "weekly", tier: "kpi",
        tags: &["operations", "storefront"], level: 10.6, drift: 1.2, yearly: 0.4, weekend: 0.0, noise: 0.2, dip: 0.0,
        decimals: 1, follows: None },
    KpiRow { slug: "inbound-tickets", name: "Inbound support tickets", owner: "dana", unit: None,
        description: "New tickets opened per week across email, chat and phone.",
        direction: "lower_is_better", target: Some(900.0), range: None, warning_band: 100.0, cadence: "weekly", tier: "metric",
        tags: &["support"], level: 780.0, drift: 0.0, yearly: 70.0, weekend: 0.0, noise: 25.0, dip: 0.0, decimals: 0,
        follows: None },
    KpiRow { slug: "average-order-value", name: "Average order value", owner: "rosa", unit: Some("USD"),
        description: "Revenue per order, excluding shipping and tax.",
        direction: "higher_is_better", target: Some(95.0), range: None, warning_band: 5.0, cadence: "weekly", tier: "metric",
        tags: &["revenue"], level: 98.5, drift: 0.0, yearly: 2.0, weekend: 0.0, noise: 0.8, dip: 0.0, decimals: 2,
        follows: None },
];

/// Generic notes for the weeks without a specific one, by how the week went.
#[rustfmt::skip]
const ON_PACE: &[&str] = &["Steady week, on pace.", "Moving as planned.", "Small gain this week.",
    "On plan; nothing to flag.", "Good week; the team is in a rhythm."];
#[rustfmt::skip]
const BEHIND: &[&str] = &["Slower than planned.", "Behind pace; working on a catch-up plan.",
    "Some progress, not enough yet.", "Dependencies are slowing us down."];
#[rustfmt::skip]
const STUCK: &[&str] = &["Barely moved.", "Well behind; we need help to unblock.", "Still stuck."];
const HOLDING: &[&str] = &["Done; keeping an eye on it.", "Holding at target."];
#[rustfmt::skip]
const NOT_MOVING: &[&str] = &["No change yet; the fix is close.", "Same as last week; lands soon."];
#[rustfmt::skip]
const MET: &[&str] = &["Met the threshold all week.", "Comfortably inside the limit."];
#[rustfmt::skip]
const MISSED: &[&str] = &["Missed it after an incident; fixed.", "Slipped past the line briefly."];
const IN_BAND: &[&str] = &["Inside the band.", "Right where we want it."];
const OUT_OF_BAND: &[&str] = &["Slightly outside the band this week; adjusting."];
const OPEN_MILESTONE: &[&str] = &["On plan.", "Next step booked.", "Build under way."];

fn objectives(previous: Quarter, current: Quarter, today: Date) -> Vec<DemoObjective> {
    let mut objectives = Vec::with_capacity(OBJECTIVES.len());
    for &(key, period, owner, commitment, parent, rollup, title, description) in OBJECTIVES {
        let (quarter, weeks) = match period {
            Previous => (previous, 13),
            Current => (current, 12),
        };
        let dates = quarter.check_in_days(today, weeks);
        let (owner_team, owner_person) = match owner {
            Owner::Team(team) => (Some(team.into()), None),
            Owner::Person(person) => (None, Some(person.into())),
        };
        let rows = KEY_RESULTS.iter().filter(|row| row.0 == key);
        objectives.push(DemoObjective {
            key: key.into(),
            cycle: quarter.names().0,
            title: title.into(),
            description: description.into(),
            owner_team,
            owner_person,
            commitment,
            parent: parent.map(Into::into),
            rollup_children: rollup,
            key_results: rows.map(|row| key_result(row, quarter, &dates, today)).collect(),
        });
    }
    objectives
}

fn key_result(row: &KeyResultRow, quarter: Quarter, dates: &[Date], today: Date) -> DemoKeyResult {
    let &(_, key, owner, _, shape, unit, metric, title, _, _) = row;
    let (kind, start, target, range, comparator) = match shape {
        Move(from, to) if to > from => ("increase", Some(from), Some(to), None, None),
        Move(from, to) => ("decrease", Some(from), Some(to), None, None),
        Keep(sign, threshold, _) => ("maintain", None, Some(threshold), None, Some(sign)),
        Band(low, high) => ("range", None, None, Some((low, high)), None),
        Milestone => ("milestone", None, None, None, None),
    };
    let heavy = HEAVY_KEY_RESULTS.contains(&key);
    let kpi = KPI_LINKS.iter().find(|link| link.0 == key);
    DemoKeyResult {
        key: key.into(),
        title: title.into(),
        kind,
        metric: metric.into(),
        unit,
        start,
        target,
        range,
        comparator,
        weight: if heavy { 2.0 } else { 1.0 },
        owner: owner.into(),
        kpi: kpi.map(|link| link.1.into()),
        check_ins: check_ins(row, quarter, dates, today),
    }
}

/// Where one check-in sits in its key result's history, that week's random draws, and how
/// the week went.
#[derive(Default)]
struct Step {
    index: usize,
    count: usize,
    /// Share of the cycle elapsed at the check-in.
    elapsed: f64,
    noise: f64,
    jitter: f64,
    /// The value has reached the target (or the milestone is done).
    done: bool,
    /// A maintain or range key result met its threshold this week.
    met: bool,
    /// The value is held where it was (the diverging key result).
    frozen: bool,
}

impl Step {
    fn last(&self) -> bool {
        self.index + 1 == self.count
    }

    fn late(&self) -> bool {
        self.index * 2 >= self.count
    }
}

fn check_ins(row: &KeyResultRow, cycle: Quarter, dates: &[Date], today: Date) -> Vec<DemoCheckIn> {
    let &(_, key, _, pace, shape, unit, _, _, notes, blocker) = row;
    // A stale key result simply stopped checking in three weeks before today.
    let fresh = |day: &&Date| pace != Stale || days_between(**day, today) >= 22;
    let dates: Vec<&Date> = dates.iter().filter(fresh).collect();
    let (count, decimals, mut rng) = (dates.len(), decimals(shape, unit), Rng(seed(key)));
    let mid = count.saturating_sub(2).min(2);
    let (mut held, mut done_before) = (None, false);
    let mut check_ins = Vec::with_capacity(count);
    for (index, &&day) in dates.iter().enumerate() {
        // Every week draws the same numbers in the same order, so a week's check-in does not
        // change as `today` moves on.
        let (noise, jitter) = (rng.signed(), rng.unit());
        let (pick, minute) = (rng.next_u64(), rng.next_u64());
        let elapsed = days_between(cycle.start, day) as f64 / cycle.length_in_days() as f64;
        let mut step = Step {
            index,
            count,
            elapsed,
            noise,
            jitter,
            // Diverging: the owner stays confident while the value sits still for five weeks.
            frozen: pace == Flat && index >= 1 && index + 6 >= count,
            ..Step::default()
        };
        let mut value;
        (value, step.done, step.met) = draw_value(shape, pace, &step, decimals);
        if step.frozen {
            value = *held.get_or_insert(value);
        }
        let newly_done = step.done && !done_before;
        done_before |= step.done;
        let pool = phrases(shape, pace, &step);
        let phrase = pool.get(pick as usize % pool.len()).copied();
        let phrase = phrase.unwrap_or_default();
        let shown = format_value(value, unit, decimals);
        let latest = (pace == DoneEarly && newly_done) || (pace != DoneEarly && step.last());
        let note = match shape {
            _ if latest => notes[1].to_owned(),
            _ if index == mid && count >= 2 => notes[0].to_owned(),
            Milestone if index == 0 => "Kick-off done; plan agreed with the team.".to_owned(),
            Milestone => phrase.to_owned(),
            Move(..) if index == 0 => format!("At {shown} to start. Plan agreed with the team."),
            _ => format!("At {shown}. {phrase}"),
        };
        let blocked = match pace {
            OffTrack => index >= 2,
            AtRisk => step.last() || index == count / 2,
            Final(share) => share < 0.4 && step.late(),
            _ => false,
        };
        check_ins.push(DemoCheckIn {
            at: at_utc(day, 15 * 60 + (minute % 150) as i64),
            value,
            confidence: confidence(shape, pace, &step),
            note,
            blockers: blocker.filter(|_| blocked).map(Into::into),
        });
    }
    check_ins
}

/// One check-in's value, whether it reaches the target, and whether a maintain or range key
/// result met its threshold that week.
fn draw_value(shape: Shape, pace: Pace, step: &Step, decimals: i32) -> (f64, bool, bool) {
    let (elapsed, noise) = (step.elapsed, step.noise);
    let through = (step.index + 1) as f64 / step.count as f64;
    match shape {
        Move(start, target) => {
            let progress = match pace {
                OnTrack | Stale | Flat => elapsed * (1.0 + 0.08 * noise),
                AtRisk => elapsed * (0.8 + 0.05 * noise),
                OffTrack => elapsed * (0.25 + 0.05 * noise),
                DoneEarly => (elapsed / 0.55 * (1.0 + 0.05 * noise)).min(1.0),
                Final(share) if step.last() => share,
                Final(share) => share * through * (1.0 + 0.08 * noise),
            };
            let value = start + progress.max(0.0) * (target - start);
            (round(value, decimals), progress >= 1.0, true)
        }
        Keep(comparator, threshold, margin) => {
            // The latest check-in meets the threshold, so that its note can say so.
            let slack = margin * if step.last() { 0.7 } else { 0.7 + noise };
            let sign = if comparator == ">=" { 1.0 } else { -1.0 };
            let value = round((threshold + sign * slack).max(0.0), decimals);
            (value, false, sign * (value - threshold) >= 0.0)
        }
        Band(low, high) => {
            let half = (high - low) / 2.0;
            let outside = noise > 0.92 && !step.last();
            let offset = if outside { 1.1 } else { 0.85 * noise };
            let value = round(low + half * (1.0 + offset), decimals);
            (value, false, !outside)
        }
        Milestone => {
            let done = match pace {
                DoneEarly => elapsed >= 0.4,
                OnTrack | Stale | Flat => elapsed >= 0.8,
                Final(share) => share >= 0.5 && through >= 0.7,
                AtRisk | OffTrack => false,
            };
            (f64::from(u8::from(done)), done, true)
        }
    }
}

/// The owner's confidence: 7 or 8 on pace, 4 to 6 at risk, 3 or less off track.
fn confidence(shape: Shape, pace: Pace, step: &Step) -> u8 {
    let steady = 7 + u8::from(step.jitter > 0.55);
    let business_as_usual = matches!(shape, Keep(..) | Band(..));
    match pace {
        _ if !step.met => 6,
        OnTrack | Stale if business_as_usual => steady + 1,
        OnTrack | Stale => steady,
        AtRisk => 4 + (step.jitter * 3.0) as u8,
        OffTrack if step.index < 2 => 5,
        OffTrack => 2 + u8::from(step.index < 5),
        DoneEarly if step.done => 10,
        DoneEarly | Flat => 8,
        Final(share) if share >= 0.9 => steady + 1,
        Final(share) if share >= 0.6 => steady - 1,
        Final(_) if step.index < 3 => 6,
        Final(share) if share >= 0.4 => 5 - u8::from(step.late()),
        Final(_) if step.late() => 2 + u8::from(step.jitter > 0.6),
        Final(_) => 4,
    }
}

/// The generic notes that fit this week.
fn phrases(shape: Shape, pace: Pace, step: &Step) -> &'static [&'static str] {
    match (shape, pace) {
        (Keep(..), _) if step.met => MET,
        (Keep(..), _) => MISSED,
        (Band(..), _) if step.met => IN_BAND,
        (Band(..), _) => OUT_OF_BAND,
        _ if step.done => HOLDING,
        (Milestone, _) => OPEN_MILESTONE,
        (_, AtRisk) => BEHIND,
        (_, OffTrack) => STUCK,
        (_, Flat) if step.frozen => NOT_MOVING,
        (_, Final(share)) if share < 0.4 && step.late() => STUCK,
        (_, Final(share)) if share < 0.7 => BEHIND,
        _ => ON_PACE,
    }
}

fn kpis(objectives: &[DemoObjective], cycle_start: Date, today: Date) -> Vec<DemoKpi> {
    let key_results: Vec<&DemoKeyResult> = objectives.iter().flat_map(|o| &o.key_results).collect();
    let mut kpis = Vec::with_capacity(KPIS.len());
    for row in KPIS {
        // Inside the active cycle a KPI that follows a key result passes through its check-ins,
        // so the key result and the KPI tell the same story.
        let mut points = Vec::new();
        let followed = key_results.iter().find(|r| Some(r.key.as_str()) == row.follows);
        if let Some(result) = followed {
            points.push((0, row.level));
            for check_in in &result.check_ins {
                let day = check_in.at.to_zoned(TimeZone::UTC).date();
                points.push((days_between(cycle_start, day), check_in.value));
            }
        }
        let daily = row.cadence == "daily";
        let (count, every) = if daily { (365, 1) } else { (53, 7) };
        let mut measurements = Vec::with_capacity(count as usize);
        for back in (0..count).rev() {
            let day = today.saturating_sub(days(1 + every * back));
            let value = kpi_value(row, &points, day, cycle_start, today);
            measurements.push((at_utc(day, 23 * 60), value));
        }
        kpis.push(DemoKpi {
            slug: row.slug.into(),
            name: row.name.into(),
            description: row.description.into(),
            owner: row.owner.into(),
            unit: row.unit,
            direction: row.direction,
            target: row.target,
            range: row.range,
            warning_band: row.warning_band,
            cadence: row.cadence,
            tier: row.tier,
            tags: row.tags.iter().map(|&tag| tag.into()).collect(),
            measurements,
        });
    }
    kpis
}

fn kpi_value(row: &KpiRow, points: &[(i64, f64)], day: Date, start: Date, today: Date) -> f64 {
    let offset = days_between(start, day);
    let mut rng = Rng(seed(row.slug) ^ (days_between(EPOCH, day) as u64).wrapping_mul(GOLDEN));
    let trend = row.level + row.drift * offset as f64 / 365.0;
    let base = interpolate(points, offset).unwrap_or(trend);
    let season = row.yearly * (TAU * (f64::from(day.day_of_year()) - 80.0) / 365.25).sin();
    let weekend = match day.weekday() {
        Weekday::Saturday | Weekday::Sunday => row.weekend,
        _ => -0.4 * row.weekend,
    };
    let noise = row.noise * rng.signed();
    let incident = row.dip > 0.0 && days_between(day, today) > 7 && rng.unit() < 0.03;
    let dip = if incident { row.dip * (0.3 + rng.unit()) } else { 0.0 };
    let percent = row.unit == Some("%");
    let value = (base + season + weekend + noise - dip).max(0.0);
    round(if percent { value.min(100.0) } else { value }, row.decimals)
}

/// Linear interpolation through `(day, value)` points in day order, flat after the last one;
/// `None` before the first.
fn interpolate(points: &[(i64, f64)], day: i64) -> Option<f64> {
    let mut before = None;
    for &(x1, v1) in points {
        match before {
            _ if x1 < day => before = Some((x1, v1)),
            Some((x0, v0)) => return Some(v0 + (v1 - v0) * (day - x0) as f64 / (x1 - x0) as f64),
            None => return (x1 == day).then_some(v1),
        }
    }
    before.map(|(_, value)| value)
}

/// Decimal places a person would use for this key result's values.
fn decimals(shape: Shape, unit: Option<&str>) -> i32 {
    let spread = match shape {
        Move(start, target) => (target - start).abs(),
        Keep(_, _, margin) => margin * 5.0,
        Band(low, high) => high - low,
        Milestone => return 0,
    };
    match spread {
        _ if unit.is_none() && spread >= 2.0 => 0,
        _ if spread >= 50.0 => 0,
        _ if spread >= 5.0 => 1,
        _ => 2,
    }
}

fn round(value: f64, decimals: i32) -> f64 {
    let scale = 10f64.powi(decimals);
    (value * scale).round() / scale
}

/// A value the way a note shows it: "$238,000", "61.4%", "5.2 h".
fn format_value(value: f64, unit: Option<&str>, decimals: i32) -> String {
    let text = format!("{:.*}", decimals.max(0) as usize, value.abs());
    let (whole, fraction) = text.split_once('.').unwrap_or((&text, ""));
    let mut number = String::from(if value < 0.0 { "-" } else { "" });
    for (index, digit) in whole.chars().enumerate() {
        if index > 0 && (whole.len() - index) % 3 == 0 {
            number.push(',');
        }
        number.push(digit);
    }
    if !fraction.is_empty() {
        number = format!("{number}.{fraction}");
    }
    match unit {
        Some("USD") => format!("${number}"),
        Some("EUR") => format!("€{number}"),
        Some("%") => format!("{number}%"),
        Some(unit) => format!("{number} {unit}"),
        None => number,
    }
}

const EPOCH: Date = Date::constant(1970, 1, 1);
const GOLDEN: u64 = 0x9E37_79B9_7F4A_7C15;

fn days(count: i64) -> Span {
    Span::new().days(count)
}

fn days_between(from: Date, to: Date) -> i64 {
    from.duration_until(to).as_hours() / 24
}

/// The instant `minutes` after midnight UTC on `day`.
fn at_utc(day: Date, minutes: i64) -> Timestamp {
    let second = days_between(EPOCH, day) * 86_400 + minutes * 60;
    Timestamp::from_second(second).unwrap_or(Timestamp::UNIX_EPOCH)
}

/// FNV-1a, to seed the generator from a stable name.
fn seed(text: &str) -> u64 {
    let step = |hash: u64, byte: u8| (hash ^ u64::from(byte)).wrapping_mul(0x0100_0000_01b3);
    text.bytes().fold(0xcbf2_9ce4_8422_2325, step)
}

/// SplitMix64: tiny, deterministic and good enough for plausible noise.
struct Rng(u64);

impl Rng {
    fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(GOLDEN);
        let z = (self.0 ^ (self.0 >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        let z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in [0, 1).
    fn unit(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }

    /// Uniform in [-1, 1).
    fn signed(&mut self) -> f64 {
        self.unit() * 2.0 - 1.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::ToSpan;
    use jiff::civil::date;
    use std::collections::HashSet;

    /// Mid-quarter, early in a year, a quarter's first and last days, a leap year's Q1.
    #[rustfmt::skip]
    const DAYS: [(i16, i8, i8); 6] =
        [(2026, 12, 1), (2027, 2, 10), (2026, 7, 1), (2026, 9, 30), (2028, 3, 31), (2027, 5, 20)];

    fn days_to_try() -> impl Iterator<Item = Date> {
        DAYS.into_iter().map(|(y, m, d)| date(y, m, d))
    }

    fn count<T>(items: &[T], test: impl Fn(&T) -> bool) -> usize {
        items.iter().filter(|item| test(item)).count()
    }

    fn key_results(story: &DemoStory) -> Vec<(&DemoObjective, &DemoKeyResult)> {
        let mut all = Vec::new();
        for objective in &story.objectives {
            all.extend(objective.key_results.iter().map(|result| (objective, result)));
        }
        all
    }

    fn in_cycle(story: &DemoStory, index: usize) -> Vec<&DemoKeyResult> {
        let slug = &story.cycles[index].slug;
        let all = key_results(story).into_iter();
        all.filter(|(o, _)| &o.cycle == slug).map(|(_, r)| r).collect()
    }

    /// KPI health as SPEC §4 defines it: green on target, amber inside the warning band.
    fn health(kpi: &DemoKpi, value: f64) -> &'static str {
        let (low, high) = match (kpi.direction, kpi.target, kpi.range) {
            ("higher_is_better", Some(target), _) => (target, f64::INFINITY),
            ("lower_is_better", Some(target), _) => (f64::NEG_INFINITY, target),
            (_, _, Some(range)) => range,
            _ => panic!("{} has no target", kpi.slug),
        };
        let band = kpi.warning_band;
        match value {
            _ if (low..=high).contains(&value) => "green",
            _ if (low - band..=high + band).contains(&value) => "amber",
            _ => "red",
        }
    }

    /// Progress of the latest check-in; the value itself for milestones.
    fn progress(result: &DemoKeyResult) -> f64 {
        let value = result.check_ins.last().map_or(0.0, |c| c.value);
        match (result.start, result.target) {
            (Some(start), Some(target)) => (value - start) / (target - start),
            _ => value,
        }
    }

    #[test]
    fn the_same_day_always_tells_the_same_story() {
        for day in days_to_try() {
            assert_eq!(demo_story(day), demo_story(day));
        }
    }

    #[test]
    fn the_story_has_enough_of_everything() {
        for day in days_to_try() {
            let story = demo_story(day);
            let (people, objectives) = (&story.people, &story.objectives);
            assert_eq!(story.workspace_slug, "demo");
            assert!(story.teams.len() >= 5 && (10..=12).contains(&people.len()));
            let role = |handle| people.iter().find(|p| p.handle == handle).map(|p| p.role);
            assert_eq!(role("alex"), Some("admin"));
            assert_eq!(role("dana"), Some("member"));
            assert_eq!(count(people, |p| p.role == "viewer"), 1);
            assert!(people.iter().all(|p| p.email.ends_with("@example.com")));
            let statuses: Vec<_> = story.cycles.iter().map(|c| c.status).collect();
            assert_eq!(statuses, ["closed", "active"]);
            let in_cycle = |i: usize, o: &DemoObjective| o.cycle == story.cycles[i].slug;
            assert!(count(objectives, |o| in_cycle(0, o)) >= 4);
            assert!(count(objectives, |o| in_cycle(1, o)) >= 10);
            assert_eq!(count(objectives, |o| in_cycle(1, o) && o.parent.is_none()), 3);
            let personal = |o: &DemoObjective| o.owner_person.is_some() && o.parent.is_some();
            assert!(count(objectives, |o| in_cycle(1, o) && personal(o)) >= 3);
            for commitment in ["committed", "aspirational"] {
                assert!(objectives.iter().any(|o| o.commitment == commitment));
            }
            let results: Vec<_> = key_results(&story).into_iter().map(|(_, r)| r).collect();
            assert!(results.len() >= 40);
            for kind in ["increase", "decrease", "maintain", "range", "milestone"] {
                assert!(results.iter().any(|r| r.kind == kind), "no {kind}");
            }
            for unit in ["USD", "EUR", "%", "pp", "h", "ms"] {
                assert!(results.iter().any(|r| r.unit == Some(unit)), "no {unit}");
            }
            assert!((2..=3).contains(&count(&results, |r| r.kpi.is_some())));
            assert!(story.initiatives.len() >= 6 && story.kpis.len() >= 8);
        }
    }

    #[test]
    fn cycles_are_the_previous_quarter_and_the_one_containing_today() {
        for day in days_to_try() {
            let story = demo_story(day);
            let (closed, active) = (&story.cycles[0], &story.cycles[1]);
            assert!(active.start <= day && day <= active.end);
            assert_eq!(closed.end.saturating_add(1.day()), active.start);
            for cycle in [closed, active] {
                let (year, quarter) = (cycle.start.year(), (cycle.start.month() + 2) / 3);
                assert_eq!((cycle.start.day(), cycle.start.month() % 3), (1, 1));
                let next = cycle.start.saturating_add(3.months());
                assert_eq!(cycle.end, next.saturating_sub(1.day()));
                assert_eq!(cycle.slug, format!("{year}-q{quarter}"));
                assert_eq!(cycle.name, format!("{year} Q{quarter}"));
            }
        }
        assert_eq!(demo_story(date(2027, 2, 10)).cycles[0].slug, "2026-q4");
    }

    #[test]
    fn every_reference_resolves_and_every_key_is_unique() {
        let story = demo_story(date(2026, 12, 1));
        let mut teams = HashSet::new();
        for team in &story.teams {
            assert!(team.parent.as_ref().is_none_or(|p| teams.contains(p)));
            assert!(teams.insert(&team.slug));
        }
        assert_eq!(count(&story.teams, |team| team.parent.is_none()), 1);
        let people: HashSet<_> = story.people.iter().map(|p| &p.handle).collect();
        let kpis: HashSet<_> = story.kpis.iter().map(|kpi| &kpi.slug).collect();
        assert_eq!(people.len(), story.people.len());
        assert_eq!(kpis.len(), story.kpis.len());
        for person in &story.people {
            assert!(person.team.as_ref().is_none_or(|team| teams.contains(team)));
        }
        assert!(story.kpis.iter().all(|kpi| people.contains(&kpi.owner)));
        for (index, objective) in story.objectives.iter().enumerate() {
            let (team, person) = (&objective.owner_team, &objective.owner_person);
            assert!(team.is_some() != person.is_some(), "{}", objective.key);
            assert!(team.as_ref().is_none_or(|team| teams.contains(team)));
            assert!(person.as_ref().is_none_or(|person| people.contains(person)));
            let size = objective.key_results.len();
            assert!((3..=5).contains(&size), "{}", objective.key);
            let earlier = &story.objectives[..index];
            assert!(earlier.iter().all(|o| o.key != objective.key));
            if let Some(parent) = &objective.parent {
                let parent = earlier.iter().find(|o| &o.key == parent);
                assert_eq!(parent.map(|o| &o.cycle), Some(&objective.cycle));
            }
        }
        let mut keys = HashSet::new();
        for (_, result) in key_results(&story) {
            assert!(people.contains(&result.owner), "{}", result.key);
            let kpi = result.kpi.as_ref();
            assert!(kpi.is_none_or(|kpi| kpis.contains(kpi)), "{}", result.key);
            assert!(keys.insert(&result.key), "{}", result.key);
        }
        for initiative in &story.initiatives {
            assert!(people.contains(&initiative.owner));
            assert!(!initiative.key_results.is_empty());
            assert!(initiative.key_results.iter().all(|key| keys.contains(key)));
        }
        let statuses: HashSet<_> = story.initiatives.iter().map(|i| i.status).collect();
        assert_eq!(statuses, HashSet::from(["planned", "active", "done", "dropped"]));
    }

    #[test]
    fn key_result_numbers_match_their_kind() {
        for (_, result) in key_results(&demo_story(date(2026, 12, 1))) {
            assert!(result.weight > 0.0);
            let numbers = (result.start, result.target, result.range, result.comparator);
            match (result.kind, numbers) {
                ("increase", (Some(start), Some(target), None, None)) => assert!(target > start),
                ("decrease", (Some(start), Some(target), None, None)) => assert!(target < start),
                ("maintain", (None, Some(_), None, Some(">=" | "<="))) => {}
                ("range", (None, None, Some((low, high)), None)) => assert!(low < high),
                ("milestone", (None, None, None, None)) => {}
                _ => panic!("{} has the wrong numbers for a {}", result.key, result.kind),
            }
        }
    }

    #[test]
    fn check_ins_sit_inside_their_cycle_before_today() {
        for day in days_to_try() {
            let story = demo_story(day);
            for (objective, result) in key_results(&story) {
                let closed = objective.cycle == story.cycles[0].slug;
                let cycle = &story.cycles[usize::from(!closed)];
                let from = at_utc(cycle.start, 0);
                let after = at_utc(cycle.end.saturating_add(1.day()), 0);
                let until = after.min(at_utc(day, 0));
                let check_ins = &result.check_ins;
                assert!(check_ins.windows(2).all(|pair| pair[0].at < pair[1].at));
                for check_in in check_ins {
                    let at = check_in.at;
                    assert!(from <= at && at < until, "{}", result.key);
                    assert!(check_in.confidence <= 10 && !check_in.note.is_empty());
                    let value = check_in.value;
                    assert!(result.kind != "milestone" || value == 0.0 || value == 1.0);
                }
                let weeks = if closed { 12..=13 } else { 0..=12 };
                assert!(weeks.contains(&check_ins.len()), "{}", result.key);
                if result.start.is_some() && !check_ins.is_empty() {
                    assert!(progress(result) >= 0.0, "{} went backwards", result.key);
                }
            }
        }
        let first_day = demo_story(date(2026, 7, 1));
        assert!(in_cycle(&first_day, 1).iter().all(|r| r.check_ins.is_empty()));
    }

    #[test]
    fn mid_quarter_shows_every_kind_of_status() {
        let today = date(2026, 12, 1);
        let story = demo_story(today);
        let active = in_cycle(&story, 1);
        let latest = |r: &DemoKeyResult| r.check_ins.last().map_or(99, |c| c.confidence);
        let pace = days_between(story.cycles[1].start, today) as f64 / 92.0;
        let moving: Vec<_> = active.iter().filter(|r| r.start.is_some()).collect();
        assert!(count(&moving, |r| (progress(r) - pace).abs() < 0.1) >= 15);
        let at_risk: Vec<_> = moving.iter().filter(|r| (4..=6).contains(&latest(r))).collect();
        assert!(at_risk.len() >= 4);
        let behind = |r: &DemoKeyResult| 1.0 - progress(r) / pace;
        assert!(at_risk.iter().all(|r| (0.1..0.3).contains(&behind(r))));
        assert!((2..=3).contains(&count(&active, |r| latest(r) <= 3)));
        let done = |r: &DemoKeyResult| r.kind != "maintain" && r.kind != "range" && progress(r) >= 1.0;
        assert!((1..=2).contains(&count(&active, |r| done(r))));
        let weeks_ago = at_utc(today.saturating_sub(21.days()), 0);
        let quiet = |r: &DemoKeyResult| r.check_ins.last().is_some_and(|c| c.at < weeks_ago);
        assert_eq!(count(&active, |r| quiet(r)), 1);
        let diverging = |r: &DemoKeyResult| {
            let tail = &r.check_ins[r.check_ins.len().saturating_sub(6)..];
            let still = |c: &DemoCheckIn| c.value == tail[0].value && c.confidence >= 8;
            r.kind != "milestone" && tail.len() == 6 && tail.iter().all(still)
        };
        assert_eq!(count(&active, |r| diverging(r)), 1);
        let blocked = |r: &DemoKeyResult| r.check_ins.iter().any(|c| c.blockers.is_some());
        assert!(count(&active, |r| blocked(r)) >= 5);
    }

    #[test]
    fn the_closed_cycle_grades_in_all_three_colours() {
        let story = demo_story(date(2026, 12, 1));
        let graded = in_cycle(&story, 0).into_iter().filter(|r| r.range.is_none());
        let score = |r: &DemoKeyResult| (progress(r).clamp(0.0, 1.0) * 10.0).round() / 10.0;
        let scores: Vec<f64> = graded.filter(|r| r.kind != "maintain").map(score).collect();
        for (low, high) in [(1.0, 1.0), (0.7, 0.9), (0.4, 0.6), (0.0, 0.3)] {
            assert!(scores.iter().any(|s| (low..=high).contains(s)), "{low}–{high}");
        }
    }

    #[test]
    fn kpis_have_a_year_of_history_ending_yesterday() {
        for day in days_to_try() {
            let year_ago = at_utc(day.saturating_sub(364.days()), 0);
            let yesterday = at_utc(day.saturating_sub(1.day()), 0)..at_utc(day, 0);
            for kpi in &demo_story(day).kpis {
                let times: Vec<Timestamp> = kpi.measurements.iter().map(|m| m.0).collect();
                let expected = if kpi.cadence == "daily" { 365 } else { 53 };
                assert_eq!(times.len(), expected, "{}", kpi.slug);
                assert!(times.windows(2).all(|pair| pair[0] < pair[1]));
                assert!(times[0] < year_ago && yesterday.contains(&times[expected - 1]));
                let banded = kpi.range.is_some() && kpi.target.is_none();
                assert_eq!(kpi.direction == "within_range", banded);
                assert!(kpi.measurements.iter().all(|m| m.1.is_finite() && m.1 >= 0.0));
            }
        }
    }

    #[test]
    fn some_kpis_lag_and_others_are_healthy() {
        #[rustfmt::skip]
        let expected = [("monthly-churn", "red"), ("returns-rate", "red"),
            ("website-uptime", "green"), ("inbound-tickets", "green"), ("conversion-rate", "amber")];
        for day in days_to_try() {
            let story = demo_story(day);
            for (slug, colour) in expected {
                let kpi = story.kpis.iter().find(|kpi| kpi.slug == slug).unwrap();
                let recent = kpi.measurements.iter().rev().take(4);
                let recent: Vec<_> = recent.map(|m| health(kpi, m.1)).collect();
                assert!(recent.iter().all(|&h| h == colour), "{day}: {slug} {recent:?}");
            }
        }
    }

    #[test]
    fn values_read_naturally() {
        assert_eq!(format_value(238_000.0, Some("USD"), 0), "$238,000");
        assert_eq!(format_value(1_234_567.5, Some("EUR"), 1), "€1,234,567.5");
        assert_eq!(format_value(61.25, Some("%"), 2), "61.25%");
        assert_eq!(format_value(5.2, Some("h"), 1), "5.2 h");
        assert_eq!(format_value(-940.0, None, 0), "-940");
    }
}
