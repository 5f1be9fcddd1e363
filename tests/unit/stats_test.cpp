// Numbers that agree: a scripted day in the routing core (hand-driven clock),
// its events stored as the server stores them, and the figures compared three
// ways — the core's live counters, the recount over the raw events and the
// report's sums — against values computed by hand. Plus Warsaw midnight and
// the summer-time change days.
#include <gtest/gtest.h>

#include "centrala/routing/core.hpp"
#include "centrala/store/chat_store.hpp"
#include "centrala/store/stats_store.hpp"
#include "centrala/store/ticket_store.hpp"
#include "temp_store.hpp"

using namespace centrala;
using namespace centrala::routing;
using namespace std::chrono;
using store::Counters;
using store::GroupBy;

namespace {

// Monday 2 November 2026, 10:00 Warsaw time (09:00 UTC).
const SysTime monday_10am = SysTime{sys_days{year{2026} / November / 2}} + hours{9};

QueueConfig queue(const std::string& id, std::vector<std::string> topics, int sla) {
    QueueConfig q;
    q.settings.id = id;
    q.settings.name = id;
    q.settings.channels = {"voice", "chat", "video"};
    q.settings.topics = std::move(topics);
    q.settings.offer_timeout_seconds = 20;
    q.settings.wrap_up_seconds = 0;
    q.settings.sla_seconds = sla;
    return q;
}

class StatsTest : public ::testing::Test {
protected:
    StatsTest() : clock(monday_10am) {}

    void SetUp() override {
        stats.emplace(*db_);
        // The agents as staff rows (ratings are credited through contact_agents).
        for (int id : {1, 2})
            ASSERT_TRUE(db_->exec("INSERT INTO users (id, username, display_name, role, password_hash, created_at, "
                                  "updated_at, password_changed_at) VALUES (" + std::to_string(id) + ", 'a" +
                                  std::to_string(id) + "', 'A', 'agent', 'x', 0, 0, 0)")
                            .ok());
        make();
    }

    void make() {
        CoreConfig c;
        c.queues = {queue("general", {"other", "waste"}, 30), queue("dept", {}, 60)};
        core = std::make_unique<Core>(clock, c);
        for (AgentId id : {1, 2}) ASSERT_TRUE(core->add_agent({id, "a" + std::to_string(id), {}, {{"chat", 1}}}).ok());
    }

    // The report's sums and the recount over the raw events agree for every grouping.
    void expect_sums_match_recount(Date day) {
        for (auto g : {GroupBy::day, GroupBy::hour, GroupBy::queue, GroupBy::agent, GroupBy::topic, GroupBy::channel}) {
            auto a = stats->summary(day, day, g);
            auto b = stats->recount(day, day, g);
            ASSERT_TRUE(a.ok() && b.ok());
            ASSERT_EQ(a->size(), b->size()) << store::to_string(g);
            for (size_t i = 0; i < a->size(); ++i) {
                EXPECT_EQ((*a)[i].key, (*b)[i].key);
                EXPECT_EQ((*a)[i].counters, (*b)[i].counters) << store::to_string(g) << " " << (*a)[i].key;
            }
        }
    }

    // Runs a core command and stores its events as the server does.
    Events run(Result<Events> r) {
        EXPECT_TRUE(r.ok()) << (r.ok() ? "" : r.error().message);
        if (!r.ok()) return {};
        auto rec = stats->record(store::stat_events_from(*r, *core));
        EXPECT_TRUE(rec.ok()) << (rec.ok() ? "" : rec.error().message);
        EXPECT_EQ(rec.ok() ? *rec : -1, 0) << "every contact exists";
        return *r;
    }
    void contact(ContactId id, const std::string& topic = "other") {
        auto st = db_->prepare("INSERT INTO contacts (id, channel, state, topic, created_at) VALUES (?, 'chat', 'waiting', ?, ?)");
        ASSERT_TRUE(st.ok());
        st->bind(1, id).bind(2, topic).bind(3, to_unix_ms(clock.now()));
        ASSERT_TRUE(st->run().ok());
        ContactSpec s;
        s.id = id;
        s.topic = topic;
        run(core->enqueue(s));
    }
    void served_by(ContactId id, AgentId agent) {
        auto st = db_->prepare("INSERT OR IGNORE INTO contact_agents (contact_id, user_id, joined_at) VALUES (?, ?, ?)");
        ASSERT_TRUE(st.ok());
        st->bind(1, id).bind(2, agent).bind(3, to_unix_ms(clock.now()));
        ASSERT_TRUE(st->run().ok());
    }
    OfferId offer_of(AgentId a) {
        auto o = core->pending_offer(a);
        EXPECT_TRUE(o.has_value()) << "agent " << a << " has no offer";
        return o ? o->offer : 0;
    }
    void at(int second) {
        clock.set(monday_10am + seconds(second));
        run(core->tick());
    }
    void rate(ContactId id, int score) {
        store::ChatStore chats(*db_);
        ASSERT_TRUE(chats.rate(id, score, "", clock.now()).ok());
        auto ev = stats->new_ratings(clock.now() - hours(1));
        ASSERT_TRUE(ev.ok());
        ASSERT_TRUE(stats->record(*ev).ok());
    }
    // A case opened from a contact through the tickets store, as the tickets
    // module (or the virtual advisor: by = nullopt) does.
    void open_case(ContactId id, std::optional<int64_t> by) {
        store::TicketStore tickets(*db_, db_.attachments_dir());
        store::TicketRow t;
        t.subject = "Dziura w jezdni";
        t.category = "drogi";
        t.department = "interwencje";
        t.access_key_hash = "hash";
        t.created_by = by;
        t.contact_id = id;
        t.created_at = clock.now();
        t.due_at = clock.now() + hours(8);
        auto r = tickets.create(t, "MCK", 2026, store::Actor{by, "test"});
        ASSERT_TRUE(r.ok()) << (r.ok() ? "" : r.error().message);
    }
    // What the wallboard counts live: every stored row of the day, through
    // add_to_counters, as it polls them (WallboardModule::count_stored).
    std::map<std::string, Counters> board_by_queue(Date day) {
        std::map<std::string, Counters> out;
        auto rows = stats->stored_after(0, 100000);
        EXPECT_TRUE(rows.ok());
        if (!rows.ok()) return out;
        for (const auto& r : *rows)
            if (r.local_day == store::day_number(day))
                store::add_to_counters(out[r.event.queue], r.event.type, r.event.flags, r.event.waited_ms,
                                       r.event.handled_ms, r.event.score, false);
        return out;
    }
    const QueueStats& live(const std::string& id) {
        live_ = core->queue_stats();
        for (const auto& q : live_)
            if (q.id == id) return q;
        throw std::runtime_error("no queue " + id);
    }
    static const Counters& row(const std::vector<store::ReportRow>& rows, const std::string& key) {
        for (const auto& r : rows)
            if (r.key == key) return r.counters;
        throw std::runtime_error("no row " + key);
    }

    // The hand-scripted day (times in seconds after 10:00):
    //   0  contacts 101, 102, 103 wait in general
    //  20  agent 1 available: offered 101          25  accepts (waited 25 s, within the SLA of 30 s)
    //  26  103 abandons after 26 s                 30  104 arrives, 35  abandons after 5 s (short)
    //  40  agent 2 available: offered 102          60  the offer lapses (agent 2 missed 1)
    //  61  agent 2 goes offline
    //  85  agent 1 closes 101 (handled 60 s): offered 102     90  accepts (waited 90 s: outside the SLA)
    // 150  agent 1 transfers 102 to dept (handled 60 s): offered there to agent 1 at once
    // 155  accepts in dept (waited 155 s since first queued: outside dept's SLA of 60 s)
    // 215  closes 102 (handled 60 s)           300  101 rated 5, 102 rated 3
    void scripted_day() {
        contact(101);
        contact(102);
        contact(103);
        at(20);
        run(core->set_status(1, AgentStatus::available));
        at(25);
        served_by(101, 1);
        run(core->accept(offer_of(1), 1));
        at(26);
        run(core->abandon(103));
        at(30);
        contact(104);
        at(35);
        run(core->abandon(104));
        at(40);
        run(core->set_status(2, AgentStatus::available));
        ASSERT_EQ(core->pending_offer(2)->contact, 102);
        at(60);
        at(61);
        run(core->set_status(2, AgentStatus::offline));
        at(85);
        run(core->close(101));
        ASSERT_EQ(core->pending_offer(1)->contact, 102);
        at(90);
        served_by(102, 1);
        run(core->accept(offer_of(1), 1));
        at(150);
        run(core->transfer_to_queue(102, "dept", "second line"));
        ASSERT_EQ(core->pending_offer(1)->contact, 102);
        at(155);
        run(core->accept(offer_of(1), 1));
        at(215);
        run(core->close(102));
        at(300);
        rate(101, 5);
        rate(102, 3);
    }

    // First, so that it is closed after the stores on it.
    centrala::testing::TempStore db_{store::Durability::normal};
    ManualClock clock;
    std::unique_ptr<Core> core;
    std::optional<store::StatsStore> stats;
    std::vector<QueueStats> live_;
};

Date date_of(int y, unsigned m, unsigned d) { return Date{year{y}, month{m}, std::chrono::day{d}}; }

}  // namespace

TEST_F(StatsTest, ScriptedDayAgreesOnTheWallboardTheRecountAndTheReport) {
    scripted_day();
    // Live counters of the core, against the hand-computed figures.
    const auto& g = live("general");
    EXPECT_EQ(g.offered_today, 4);
    EXPECT_EQ(g.answered_today, 2);
    EXPECT_EQ(g.answered_in_sla_today, 1);
    EXPECT_DOUBLE_EQ(g.service_level_pct(), 25.0);
    EXPECT_EQ(g.abandoned_today, 2);
    EXPECT_EQ(g.abandoned_short_today, 1);
    EXPECT_DOUBLE_EQ(g.asa_seconds(), 57.5);
    EXPECT_EQ(g.handled_today, 2);
    EXPECT_DOUBLE_EQ(g.aht_seconds(), 60.0);
    const auto& d = live("dept");
    EXPECT_EQ(d.offered_today, 1);
    EXPECT_EQ(d.answered_today, 1);
    EXPECT_EQ(d.answered_in_sla_today, 0);
    EXPECT_DOUBLE_EQ(d.asa_seconds(), 155.0);
    EXPECT_EQ(d.handled_today, 1);
    EXPECT_EQ(core->agent(1)->handled_today, 3);
    EXPECT_EQ(core->agent(1)->total_handle_ms, 180'000);
    EXPECT_EQ(core->agent(1)->missed_today, 0);
    EXPECT_EQ(core->agent(2)->missed_today, 1);

    const Date today = date_of(2026, 11, 2);
    for (bool raw : {true, false}) {
        SCOPED_TRACE(raw ? "recount over the events" : "report sums");
        auto by_queue = raw ? stats->recount(today, today, GroupBy::queue) : stats->summary(today, today, GroupBy::queue);
        ASSERT_TRUE(by_queue.ok());
        const auto& gq = row(*by_queue, "general");
        EXPECT_EQ(gq.offered, 4);
        EXPECT_EQ(gq.answered, 2);
        EXPECT_EQ(gq.answered_in_sla, 1);
        EXPECT_EQ(gq.abandoned, 2);
        EXPECT_EQ(gq.abandoned_short, 1);
        EXPECT_EQ(gq.wait_ms, 115'000);
        EXPECT_EQ(gq.handled, 2);
        EXPECT_EQ(gq.handle_ms, 120'000);
        EXPECT_EQ(gq.transfers, 1);
        EXPECT_EQ(gq.closed, 1);
        EXPECT_EQ(gq.fcr, 1);
        EXPECT_EQ(gq.csat_sum, 5);
        EXPECT_EQ(gq.csat_count, 1);
        EXPECT_EQ(gq.missed, 1);
        const auto& dq = row(*by_queue, "dept");
        EXPECT_EQ(dq.offered, 1);
        EXPECT_EQ(dq.answered, 1);
        EXPECT_EQ(dq.answered_in_sla, 0);
        EXPECT_EQ(dq.wait_ms, 155'000);
        EXPECT_EQ(dq.closed, 1);
        EXPECT_EQ(dq.fcr, 0) << "102 was transferred";
        ASSERT_TRUE(dq.csat_avg().has_value());
        EXPECT_EQ(*dq.csat_avg(), 3.0);

        auto by_agent = raw ? stats->recount(today, today, GroupBy::agent) : stats->summary(today, today, GroupBy::agent);
        ASSERT_TRUE(by_agent.ok());
        const auto& a1 = row(*by_agent, "1");
        EXPECT_EQ(a1.answered, 3);
        EXPECT_EQ(a1.handled, 3);
        EXPECT_DOUBLE_EQ(a1.aht_seconds(), 60.0);
        EXPECT_EQ(a1.closed, 2);
        EXPECT_EQ(a1.fcr, 1);
        EXPECT_EQ(a1.transfers, 1);
        ASSERT_TRUE(a1.csat_avg().has_value());
        EXPECT_EQ(*a1.csat_avg(), 4.0);
        EXPECT_EQ(row(*by_agent, "2").missed, 1);

        auto by_day = raw ? stats->recount(today, today, GroupBy::day) : stats->summary(today, today, GroupBy::day);
        ASSERT_TRUE(by_day.ok());
        ASSERT_EQ(by_day->size(), 1u);
        const auto& t = (*by_day)[0].counters;
        EXPECT_EQ((*by_day)[0].key, "2026-11-02");
        EXPECT_EQ(t.offered, 5);
        EXPECT_EQ(t.answered, 3);
        EXPECT_DOUBLE_EQ(t.service_level_pct(), 20.0);
        EXPECT_DOUBLE_EQ(t.asa_seconds(), 90.0);
        EXPECT_DOUBLE_EQ(t.fcr_pct(), 50.0);
        EXPECT_EQ(t.csat_count, 2);
        ASSERT_TRUE(t.csat_avg().has_value());
        EXPECT_DOUBLE_EQ(*t.csat_avg(), 4.0);

        auto by_topic = raw ? stats->recount(today, today, GroupBy::topic) : stats->summary(today, today, GroupBy::topic);
        ASSERT_TRUE(by_topic.ok());
        ASSERT_EQ(by_topic->size(), 1u);
        EXPECT_EQ((*by_topic)[0].key, "other");
        auto by_hour = raw ? stats->recount(today, today, GroupBy::hour) : stats->summary(today, today, GroupBy::hour);
        ASSERT_TRUE(by_hour.ok());
        ASSERT_EQ(by_hour->size(), 1u);
        EXPECT_EQ((*by_hour)[0].hour, 10);
        EXPECT_EQ((*by_hour)[0].key, "2026-11-02T10");
        auto by_channel = raw ? stats->recount(today, today, GroupBy::channel) : stats->summary(today, today, GroupBy::channel);
        ASSERT_TRUE(by_channel.ok());
        ASSERT_EQ(by_channel->size(), 1u);
        EXPECT_EQ((*by_channel)[0].key, "chat");
        EXPECT_EQ((*by_channel)[0].counters, t);
    }
    // The sums and the recount agree for every grouping.
    expect_sums_match_recount(today);
}

TEST_F(StatsTest, RestartRebuildsTodaysCountersFromTheStoredEvents) {
    scripted_day();
    const auto before = core->queue_stats();
    const auto agent1 = *core->agent(1);
    make();  // a new core, as after a restart: counters at zero
    EXPECT_EQ(live("general").offered_today, 0);
    const Date today = date_of(2026, 11, 2);
    auto by_queue = stats->recount(today, today, GroupBy::queue);
    auto by_agent = stats->recount(today, today, GroupBy::agent);
    ASSERT_TRUE(by_queue.ok() && by_agent.ok());
    TodayCounters t;
    for (const auto& r : *by_queue) {
        const auto& c = r.counters;
        t.queues[r.key] = {c.offered, c.answered, c.answered_in_sla, c.abandoned, c.abandoned_short,
                           c.wait_ms,  c.handled,  c.handle_ms};
    }
    for (const auto& r : *by_agent) t.agents[std::stoll(r.key)] = {r.counters.handled, r.counters.handle_ms, r.counters.missed};
    ASSERT_TRUE(core->restore_today(t).ok());
    const auto after = core->queue_stats();
    ASSERT_EQ(before.size(), after.size());
    for (size_t i = 0; i < before.size(); ++i) {
        EXPECT_EQ(before[i].offered_today, after[i].offered_today) << before[i].id;
        EXPECT_EQ(before[i].answered_today, after[i].answered_today);
        EXPECT_EQ(before[i].answered_in_sla_today, after[i].answered_in_sla_today);
        EXPECT_EQ(before[i].abandoned_today, after[i].abandoned_today);
        EXPECT_EQ(before[i].abandoned_short_today, after[i].abandoned_short_today);
        EXPECT_EQ(before[i].total_wait_answered_ms, after[i].total_wait_answered_ms);
        EXPECT_EQ(before[i].handled_today, after[i].handled_today);
        EXPECT_EQ(before[i].total_handle_ms, after[i].total_handle_ms);
    }
    EXPECT_EQ(core->agent(1)->handled_today, agent1.handled_today);
    EXPECT_EQ(core->agent(1)->total_handle_ms, agent1.total_handle_ms);
    EXPECT_EQ(core->agent(2)->missed_today, 1);
}

TEST_F(StatsTest, WarsawMidnightSplitsTheDayAsTheWallboardDoes) {
    // 23:59:30 Warsaw on 2 November (CET, UTC+1) is 22:59:30 UTC.
    clock.set(SysTime{sys_days{year{2026} / November / 2}} + hours{22} + minutes{59} + seconds{30});
    make();
    contact(201);
    run(core->set_status(1, AgentStatus::available));  // offered at once
    clock.advance(seconds(40));                          // 00:00:10 on 3 November
    run(core->accept(offer_of(1), 1));
    const auto& g = live("general");
    EXPECT_EQ(g.offered_today, 0) << "offered yesterday";
    EXPECT_EQ(g.answered_today, 1);
    auto days = stats->summary(date_of(2026, 11, 2), date_of(2026, 11, 3), GroupBy::day);
    ASSERT_TRUE(days.ok());
    ASSERT_EQ(days->size(), 2u);
    EXPECT_EQ((*days)[0].key, "2026-11-02");
    EXPECT_EQ((*days)[0].counters.offered, 1);
    EXPECT_EQ((*days)[0].counters.answered, 0);
    EXPECT_EQ((*days)[1].key, "2026-11-03");
    EXPECT_EQ((*days)[1].counters.answered, 1);
    EXPECT_EQ((*days)[1].counters.wait_ms, 40'000) << "the wait counts from the first queueing, across midnight";
    auto today = stats->recount(date_of(2026, 11, 3), date_of(2026, 11, 3), GroupBy::queue);
    ASSERT_TRUE(today.ok());
    EXPECT_EQ(row(*today, "general").answered, g.answered_today);
    EXPECT_EQ(row(*today, "general").offered, g.offered_today);
}

TEST_F(StatsTest, SummerTimeDaysHaveTheirOwnHours) {
    EXPECT_EQ(store::warsaw_midnight(date_of(2026, 3, 29)), SysTime{sys_days{year{2026} / March / 28}} + hours{23});
    EXPECT_EQ(store::warsaw_midnight(date_of(2026, 3, 30)), SysTime{sys_days{year{2026} / March / 29}} + hours{22});
    EXPECT_EQ(store::warsaw_midnight(date_of(2026, 10, 25)), SysTime{sys_days{year{2026} / October / 24}} + hours{22});
    EXPECT_EQ(store::warsaw_midnight(date_of(2026, 10, 26)), SysTime{sys_days{year{2026} / October / 25}} + hours{23});

    // 25 October 2026: 02:00-03:00 local happens twice (00:30 and 01:30 UTC).
    const SysTime fall = SysTime{sys_days{year{2026} / October / 25}};
    clock.set(fall + minutes(30));
    make();
    contact(301);
    clock.set(fall + hours(1) + minutes(30));
    contact(302);
    // 23:30 local on the 23-hour spring day 29 March is 21:30 UTC.
    clock.set(SysTime{sys_days{year{2026} / March / 29}} + hours(21) + minutes(30));
    contact(303);
    auto hours_fall = stats->summary(date_of(2026, 10, 25), date_of(2026, 10, 25), GroupBy::hour);
    ASSERT_TRUE(hours_fall.ok());
    ASSERT_EQ(hours_fall->size(), 1u);
    EXPECT_EQ((*hours_fall)[0].hour, 2);
    EXPECT_EQ((*hours_fall)[0].counters.offered, 2);
    auto spring = stats->recount(date_of(2026, 3, 29), date_of(2026, 3, 29), GroupBy::hour);
    ASSERT_TRUE(spring.ok());
    ASSERT_EQ(spring->size(), 1u);
    EXPECT_EQ((*spring)[0].key, "2026-03-29T23");
    auto none = stats->recount(date_of(2026, 3, 30), date_of(2026, 3, 30), GroupBy::day);
    ASSERT_TRUE(none.ok());
    EXPECT_TRUE(none->empty());
}

TEST_F(StatsTest, EventsOfUnknownContactsAreSkippedNotFatal) {
    store::StatEvent e;
    e.contact_id = 999;
    e.at = clock.now();
    e.type = store::stat::queued;
    e.queue = "general";
    auto r = stats->record({e});
    ASSERT_TRUE(r.ok());
    EXPECT_EQ(*r, 1);
}

// Cases in the scripted day. After it (at 300 s):
//  310  a case is opened from 101, closed at 85 as resolved at first contact:
//       that resolution is taken back (fcr_revoked with the close's time)
//  320  a case from 102 (already transferred, so no resolution to take back);
//       it counts for dept, the queue 102 was last in
//  330  108 arrives, agent 1 is offered it at once and accepts; 340 agent 1
//       opens a case during the conversation; 400 closes it: not resolved
//  410  109 closes without a case: resolved at first contact
//  420  the virtual advisor opens a case from 107, a chat that never reached
//       a queue (no agent; counted under queue "")
TEST_F(StatsTest, CasesOpenedCountAndTakeFirstContactResolutionBack) {
    scripted_day();
    const Date today = date_of(2026, 11, 2);
    {
        auto before = stats->summary(today, today, GroupBy::queue);
        ASSERT_TRUE(before.ok());
        ASSERT_EQ(row(*before, "general").fcr, 1) << "101 was resolved at first contact until its case";
    }
    at(310);
    open_case(101, 1);
    at(320);
    open_case(102, 1);
    at(330);
    contact(108);
    served_by(108, 1);
    run(core->accept(offer_of(1), 1));
    at(340);
    open_case(108, 1);
    at(400);
    run(core->close(108));
    at(405);
    contact(109);
    served_by(109, 1);
    run(core->accept(offer_of(1), 1));
    at(410);
    run(core->close(109));
    at(420);
    {
        auto st = db_->prepare("INSERT INTO contacts (id, channel, state, topic, created_at) VALUES (107, 'chat', 'bot', 'report', ?)");
        ASSERT_TRUE(st.ok());
        st->bind(1, to_unix_ms(clock.now()));
        ASSERT_TRUE(st->run().ok());
    }
    open_case(107, std::nullopt);

    for (bool raw : {true, false}) {
        SCOPED_TRACE(raw ? "recount over the events" : "report sums");
        auto by_queue = raw ? stats->recount(today, today, GroupBy::queue) : stats->summary(today, today, GroupBy::queue);
        ASSERT_TRUE(by_queue.ok());
        const auto& g = row(*by_queue, "general");
        EXPECT_EQ(g.closed, 3) << "101, 108, 109";
        EXPECT_EQ(g.fcr, 1) << "109 only: 101 and 108 got a case";
        EXPECT_EQ(g.cases, 2) << "101 and 108";
        EXPECT_NEAR(g.fcr_pct(), 100.0 / 3.0, 1e-9);
        const auto& d = row(*by_queue, "dept");
        EXPECT_EQ(d.cases, 1) << "102 was last in dept";
        EXPECT_EQ(d.fcr, 0);
        EXPECT_EQ(row(*by_queue, "").cases, 1) << "the advisor's case of a chat never queued";

        auto by_agent = raw ? stats->recount(today, today, GroupBy::agent) : stats->summary(today, today, GroupBy::agent);
        ASSERT_TRUE(by_agent.ok());
        const auto& a1 = row(*by_agent, "1");
        EXPECT_EQ(a1.closed, 4) << "101, 102, 108, 109";
        EXPECT_EQ(a1.fcr, 1);
        EXPECT_EQ(a1.cases, 3) << "the advisor's case is no agent's";

        auto by_day = raw ? stats->recount(today, today, GroupBy::day) : stats->summary(today, today, GroupBy::day);
        ASSERT_TRUE(by_day.ok());
        ASSERT_EQ(by_day->size(), 1u);
        EXPECT_EQ((*by_day)[0].counters.cases, 4);
        EXPECT_EQ((*by_day)[0].counters.closed, 4);
        EXPECT_EQ((*by_day)[0].counters.fcr, 1);
        EXPECT_DOUBLE_EQ((*by_day)[0].counters.fcr_pct(), 25.0);
    }
    // The correction sits where the close was counted: hour 10, queue general.
    auto hours_rows = stats->summary(today, today, GroupBy::hour);
    ASSERT_TRUE(hours_rows.ok());
    ASSERT_EQ(hours_rows->size(), 1u);
    EXPECT_EQ((*hours_rows)[0].counters.fcr, 1);

    // Sums, recount and the wallboard's live count agree for every grouping.
    expect_sums_match_recount(today);
    auto recount = stats->recount(today, today, GroupBy::queue);
    ASSERT_TRUE(recount.ok());
    auto board = board_by_queue(today);
    for (const auto& r : *recount) EXPECT_EQ(board[r.key], r.counters) << "live board, queue '" << r.key << "'";

    // A second case from 101 counts as a case and takes nothing back twice.
    at(500);
    open_case(101, 2);
    auto again = stats->recount(today, today, GroupBy::queue);
    ASSERT_TRUE(again.ok());
    EXPECT_EQ(row(*again, "general").cases, 3);
    EXPECT_EQ(row(*again, "general").fcr, 1);
}

TEST_F(StatsTest, ChartSamplesAreKeptForTheLastHoursOnly) {
    const SysTime t0 = clock.now();
    ASSERT_TRUE(stats->save_sample(t0 - hours(9), R"({"at":"old"})", t0 - hours(10)).ok());
    ASSERT_TRUE(stats->save_sample(t0 - minutes(1), R"({"at":"a"})", t0 - hours(8)).ok());
    ASSERT_TRUE(stats->save_sample(t0, R"({"at":"b"})", t0 - hours(8)).ok());
    auto all = stats->samples_since(t0 - hours(24));
    ASSERT_TRUE(all.ok());
    ASSERT_EQ(all->size(), 2u) << "the nine-hour-old sample was pruned";
    EXPECT_EQ((*all)[0], R"({"at":"a"})");
    EXPECT_EQ((*all)[1], R"({"at":"b"})");
}
