// Deterministic tests of the routing core with a hand-driven clock.
#include <gtest/gtest.h>

#include <algorithm>

#include "centrala/routing/core.hpp"

using namespace centrala;
using namespace centrala::routing;
using namespace std::chrono;

namespace {

// Monday 2 November 2026, 10:00 Warsaw time (09:00 UTC).
const SysTime monday_10am = SysTime{sys_days{year{2026} / November / 2}} + hours{9};

QueueConfig queue(const std::string& id, std::vector<std::string> topics, Skills skills = {},
                  Strategy strategy = Strategy::longest_idle) {
    QueueConfig q;
    q.settings.id = id;
    q.settings.name = id;
    q.settings.channels = {"voice", "chat", "video"};
    q.settings.topics = std::move(topics);
    q.settings.skills = std::move(skills);
    q.settings.offer_timeout_seconds = 20;
    q.settings.wrap_up_seconds = 0;
    q.settings.sla_seconds = 30;
    q.strategy = strategy;
    return q;
}

class RoutingTest : public ::testing::Test {
protected:
    RoutingTest() : clock(monday_10am) {}

    void make(std::vector<QueueConfig> queues, int missed_to_break = 2) {
        CoreConfig c;
        c.queues = std::move(queues);
        c.missed_offers_to_break = missed_to_break;
        WeeklySchedule office;
        office.name = "office";
        for (int d = 0; d < 5; ++d) office.days[d].push_back({7 * 60 + 30, 15 * 60 + 30});
        c.schedules["office"] = office;
        core = std::make_unique<Core>(clock, c);
    }

    void agent(AgentId id, Skills skills = {}, Capacity cap = {{"chat", 3}, {"voice", 1}, {"video", 1}}) {
        ASSERT_TRUE(core->add_agent({id, "agent" + std::to_string(id), skills, cap}).ok());
    }
    Events available(AgentId id) {
        auto r = core->set_status(id, AgentStatus::available);
        EXPECT_TRUE(r.ok());
        return r.ok() ? *r : Events{};
    }
    Events contact(ContactId id, Channel ch = Channel::chat, std::string topic = "other", int priority = 0) {
        ContactSpec s;
        s.id = id;
        s.channel = ch;
        s.topic = topic;
        s.priority = priority;
        auto r = core->enqueue(s);
        EXPECT_TRUE(r.ok()) << (r.ok() ? "" : r.error().message);
        return r.ok() ? *r : Events{};
    }
    static std::vector<Event> of(const Events& es, EventType t) {
        std::vector<Event> out;
        std::copy_if(es.begin(), es.end(), std::back_inserter(out), [t](const Event& e) { return e.type == t; });
        return out;
    }
    // The offer an event list made to `agent`, if any.
    static std::optional<Event> offer_to(const Events& es, AgentId agent) {
        for (const auto& e : of(es, EventType::offer_created))
            if (std::find(e.agents.begin(), e.agents.end(), agent) != e.agents.end()) return e;
        return std::nullopt;
    }
    Events accept(const Event& offer, AgentId agent) {
        auto r = core->accept(offer.offer, agent);
        EXPECT_TRUE(r.ok()) << (r.ok() ? "" : r.error().message);
        return r.ok() ? *r : Events{};
    }
    Events later(seconds d) {
        clock.advance(d);
        return core->tick();
    }
    void invariants() { EXPECT_EQ(core->check_invariants(), ""); }

    ManualClock clock;
    std::unique_ptr<Core> core;
};

}  // namespace

TEST_F(RoutingTest, AvailableAgentIsOfferedTheWaitingContactAndAccepts) {
    make({queue("general", {"other"})});
    agent(1);
    auto queued = contact(100);
    ASSERT_EQ(of(queued, EventType::contact_queued).size(), 1u);
    auto pos = of(queued, EventType::position_changed);
    ASSERT_EQ(pos.size(), 1u);
    EXPECT_EQ(pos[0].position, 1);
    EXPECT_TRUE(of(queued, EventType::offer_created).empty()) << "agent 1 is offline";

    clock.advance(seconds(12));
    auto ev = available(1);
    auto offer = offer_to(ev, 1);
    ASSERT_TRUE(offer.has_value());
    EXPECT_EQ(offer->contact, 100);
    EXPECT_EQ(offer->expires_in, 20);
    EXPECT_FALSE(offer->why.empty());
    EXPECT_EQ(core->agent(1)->activity, AgentActivity::offered);
    auto assigned = of(accept(*offer, 1), EventType::contact_assigned);
    ASSERT_EQ(assigned.size(), 1u);
    EXPECT_EQ(assigned[0].waited_ms, 12000);
    EXPECT_EQ(core->state_of(100), ContactState::active);
    EXPECT_EQ(core->agent(1)->activity, AgentActivity::busy);
    auto stats = core->queue_stats()[0];
    EXPECT_EQ(stats.offered_today, 1);
    EXPECT_EQ(stats.answered_today, 1);
    EXPECT_EQ(stats.answered_in_sla_today, 1);
    EXPECT_DOUBLE_EQ(stats.asa_seconds(), 12.0);
    invariants();
}

TEST_F(RoutingTest, ServesInOrderOfPriorityThenArrival) {
    make({queue("general", {"other"})});
    agent(1, {}, {{"voice", 1}});
    contact(1, Channel::voice);
    clock.advance(seconds(1));
    contact(2, Channel::voice);
    clock.advance(seconds(1));
    contact(3, Channel::voice, "other", 5);
    std::vector<ContactId> served;
    auto ev = available(1);
    for (int i = 0; i < 3; ++i) {
        auto offer = offer_to(ev, 1);
        ASSERT_TRUE(offer.has_value()) << "round " << i;
        served.push_back(offer->contact);
        accept(*offer, 1);
        clock.advance(seconds(30));
        auto closed = core->close(offer->contact);
        ASSERT_TRUE(closed.ok());
        ev = *closed;
        invariants();
    }
    EXPECT_EQ(served, (std::vector<ContactId>{3, 1, 2}));
}

TEST_F(RoutingTest, LongestIdleAgentGetsTheContact) {
    make({queue("general", {"other"})});
    agent(1);
    agent(2);
    agent(3);
    available(2);
    clock.advance(seconds(5));
    available(1);
    clock.advance(seconds(5));
    available(3);
    auto ev = contact(10);
    ASSERT_TRUE(offer_to(ev, 2).has_value());
    auto ev2 = contact(11);
    ASSERT_TRUE(offer_to(ev2, 1).has_value());
}

TEST_F(RoutingTest, LeastOccupiedAgentGetsTheContact) {
    make({queue("general", {"other"}, {}, Strategy::least_occupied)});
    agent(1);
    agent(2);
    available(1);
    clock.advance(seconds(1));
    available(2);
    // Agent 1 (idle longer) takes the first chat...
    auto first = offer_to(contact(10), 1);
    ASSERT_TRUE(first);
    accept(*first, 1);
    clock.advance(seconds(60));
    // ...so agent 2, now less occupied, takes the next one even though agent 1 was offered longer ago.
    auto ev = contact(11);
    EXPECT_TRUE(offer_to(ev, 2).has_value());
}

TEST_F(RoutingTest, SkillLevelFirstStrategyPrefersTheExpert) {
    make({queue("vehicles", {"vehicles"}, {{"vehicles", 1}}, Strategy::skill_level)});
    agent(1, {{"vehicles", 2}});
    agent(2, {{"vehicles", 5}});
    available(1);
    clock.advance(seconds(60));
    available(2);
    auto ev = contact(10, Channel::chat, "vehicles");
    EXPECT_TRUE(offer_to(ev, 2).has_value()) << "level 5 beats 60 s of extra idle time";
}

TEST_F(RoutingTest, RoundRobinRotates) {
    make({queue("general", {"other"}, {}, Strategy::round_robin)});
    for (AgentId a : {1, 2, 3}) {
        agent(a);
        available(a);
    }
    std::vector<AgentId> got;
    for (ContactId c = 10; c < 16; ++c) {
        auto ev = contact(c);
        auto offers = of(ev, EventType::offer_created);
        ASSERT_EQ(offers.size(), 1u);
        got.push_back(offers[0].agents[0]);
        accept(offers[0], offers[0].agents[0]);
        ASSERT_TRUE(core->close(c).ok());
    }
    EXPECT_EQ(got, (std::vector<AgentId>{1, 2, 3, 1, 2, 3}));
}

TEST_F(RoutingTest, SkillsMustMeetTheQueueMinimum) {
    make({queue("vehicles", {"vehicles"}, {{"vehicles", 3}}), queue("general", {"other"})});
    agent(1, {{"vehicles", 2}});
    available(1);
    auto ev = contact(10, Channel::chat, "vehicles");
    EXPECT_TRUE(of(ev, EventType::offer_created).empty());
    ASSERT_TRUE(core->update_agent({1, "agent1", {{"vehicles", 3}}, {{"chat", 3}}}).ok() );
    EXPECT_EQ(core->state_of(10), ContactState::offered);
    invariants();
}

TEST_F(RoutingTest, ChatCapacityAndVoiceExcludesChat) {
    make({queue("general", {"other"})});
    agent(1, {}, {{"chat", 2}, {"voice", 1}});
    available(1);
    for (ContactId c : {1, 2, 3}) {
        auto ev = contact(c);
        if (auto o = offer_to(ev, 1)) accept(*o, 1);
    }
    EXPECT_EQ(core->state_of(1), ContactState::active);
    EXPECT_EQ(core->state_of(2), ContactState::active);
    EXPECT_EQ(core->state_of(3), ContactState::waiting) << "capacity 2 chats";
    // A call can still come in on top of chats...
    auto call = offer_to(contact(4, Channel::voice), 1);
    ASSERT_TRUE(call);
    accept(*call, 1);
    // ...but while on the phone no new chat is offered, even after one ends.
    ASSERT_TRUE(core->close(1).ok());
    EXPECT_EQ(core->state_of(3), ContactState::waiting);
    auto after_call = core->close(4);
    ASSERT_TRUE(after_call.ok());
    EXPECT_TRUE(offer_to(*after_call, 1).has_value());
    EXPECT_EQ(core->state_of(3), ContactState::offered);
    invariants();
}

TEST_F(RoutingTest, WrapUpHoldsNewOffersUntilItEnds) {
    auto q = queue("general", {"other"});
    q.settings.wrap_up_seconds = 30;
    make({q});
    agent(1, {}, {{"voice", 1}});
    available(1);
    accept(*offer_to(contact(1, Channel::voice), 1), 1);
    contact(2, Channel::voice);
    auto closed = core->close(1);
    ASSERT_TRUE(closed.ok());
    EXPECT_FALSE(offer_to(*closed, 1).has_value());
    EXPECT_EQ(core->agent(1)->activity, AgentActivity::wrap_up);
    EXPECT_EQ(later(seconds(29)).size(), 0u);
    EXPECT_EQ(core->state_of(2), ContactState::waiting);
    auto ev = later(seconds(1));
    EXPECT_TRUE(offer_to(ev, 1).has_value());
    invariants();
}

TEST_F(RoutingTest, AgentCanEndWrapUpEarly) {
    auto q = queue("general", {"other"});
    q.settings.wrap_up_seconds = 60;
    make({q});
    agent(1, {}, {{"voice", 1}});
    available(1);
    accept(*offer_to(contact(1, Channel::voice), 1), 1);
    contact(2, Channel::voice);
    ASSERT_TRUE(core->close(1).ok());
    auto ev = core->end_wrap_up(1);
    ASSERT_TRUE(ev.ok());
    EXPECT_TRUE(offer_to(*ev, 1).has_value());
}

TEST_F(RoutingTest, LapsedOfferReturnsContactToItsPlaceAndNextAgentIsTried) {
    make({queue("general", {"other"})}, 3);
    agent(1, {}, {{"voice", 1}});
    agent(2, {}, {{"voice", 1}});
    available(1);
    contact(10, Channel::voice);
    clock.advance(seconds(1));
    contact(11, Channel::voice);
    EXPECT_EQ(core->position_of(11), 1) << "10 is on offer to agent 1";
    clock.advance(seconds(20));
    auto ev = core->tick();
    auto revoked = of(ev, EventType::offer_revoked);
    ASSERT_EQ(revoked.size(), 1u);
    EXPECT_EQ(revoked[0].reason, "timeout");
    EXPECT_EQ(core->position_of(10), 1) << "back at the head of the line";
    EXPECT_EQ(core->position_of(11), 2);
    EXPECT_EQ(core->agent(1)->missed_offers, 1);
    // Agent 1 is not offered contact 10 again at once; it gets contact 11.
    auto offer = offer_to(ev, 1);
    ASSERT_TRUE(offer);
    EXPECT_EQ(offer->contact, 11);
    // A second agent arriving takes contact 10 at once.
    auto ev2 = available(2);
    auto o2 = offer_to(ev2, 2);
    ASSERT_TRUE(o2);
    EXPECT_EQ(o2->contact, 10);
    invariants();
}

TEST_F(RoutingTest, RejectedContactGoesToTheNextAgentAtOnce) {
    make({queue("general", {"other"})});
    agent(1);
    agent(2);
    available(1);
    clock.advance(seconds(1));
    available(2);
    auto o1 = offer_to(contact(10), 1);
    ASSERT_TRUE(o1);
    auto r = core->reject(o1->offer, 1);
    ASSERT_TRUE(r.ok());
    EXPECT_EQ(of(*r, EventType::offer_revoked)[0].reason, "rejected");
    auto o2 = offer_to(*r, 2);
    ASSERT_TRUE(o2);
    EXPECT_EQ(o2->contact, 10);
    EXPECT_EQ(core->agent(1)->missed_offers, 0) << "a rejection is not a miss";
    EXPECT_FALSE(core->accept(o1->offer, 1).ok()) << "the revoked offer cannot be accepted";
    invariants();
}

TEST_F(RoutingTest, RejectingAgentGetsTheContactAgainWhenNobodyElseIsThere) {
    make({queue("general", {"other"})});
    agent(1);
    available(1);
    auto o1 = offer_to(contact(10), 1);
    auto r = core->reject(o1->offer, 1);
    EXPECT_FALSE(offer_to(*r, 1).has_value()) << "not straight back to the one who said no";
    auto ev = later(seconds(30));
    EXPECT_TRUE(offer_to(ev, 1).has_value()) << "but after the reject delay, rather than wait forever";
}

TEST_F(RoutingTest, MissedOffersPutTheAgentOnBreak) {
    make({queue("general", {"other"})}, 2);
    agent(1);
    available(1);
    contact(10);
    later(seconds(20));  // miss 1, contact 10 declined for 30 s
    contact(11);         // offered at once
    auto ev = later(seconds(20));  // miss 2
    auto states = of(ev, EventType::agent_state_changed);
    ASSERT_FALSE(states.empty());
    EXPECT_EQ(states.back().status, AgentStatus::on_break);
    EXPECT_EQ(states.back().reason, "missed");
    EXPECT_EQ(core->agent(1)->status, AgentStatus::on_break);
    EXPECT_EQ(core->state_of(10), ContactState::waiting);
    EXPECT_EQ(core->state_of(11), ContactState::waiting);
    invariants();
}

TEST_F(RoutingTest, OverflowMovesToAnotherQueueKeepingEnqueueTime) {
    auto vehicles = queue("vehicles", {"vehicles"}, {{"vehicles", 1}});
    vehicles.settings.overflow = Overflow{120, "general"};
    make({vehicles, queue("general", {"other"})});
    agent(1);  // no vehicles skill: serves only general
    contact(10, Channel::chat, "vehicles");
    EXPECT_EQ(core->next_deadline(), clock.now() + seconds(120));
    later(seconds(119));
    EXPECT_EQ(core->queue_of(10), "vehicles");
    auto ev = later(seconds(1));
    auto moved = of(ev, EventType::contact_transferred);
    ASSERT_EQ(moved.size(), 1u);
    EXPECT_EQ(moved[0].reason, "overflow");
    EXPECT_EQ(moved[0].from_queue, "vehicles");
    EXPECT_EQ(core->queue_of(10), "general");
    clock.advance(seconds(10));
    auto offer = offer_to(available(1), 1);
    ASSERT_TRUE(offer);
    EXPECT_EQ(offer->waited_ms, 130000) << "waiting time counts from the first queue";
    auto assigned = of(accept(*offer, 1), EventType::contact_assigned);
    EXPECT_EQ(assigned[0].waited_ms, 130000);
}

TEST_F(RoutingTest, OverflowKeepsPlaceAheadOfNewerContacts) {
    auto vehicles = queue("vehicles", {"vehicles"}, {{"vehicles", 1}});
    vehicles.settings.overflow = Overflow{60, "general"};
    make({vehicles, queue("general", {"other"})});
    contact(10, Channel::chat, "vehicles");
    clock.advance(seconds(30));
    contact(11, Channel::chat, "other");
    later(seconds(30));
    EXPECT_EQ(core->position_of(10), 1) << "older contact goes ahead of the newer one in general";
    EXPECT_EQ(core->position_of(11), 2);
}

TEST_F(RoutingTest, ClosedQueueRefusesOutsideHoursAndOnHolidays) {
    auto q = queue("general", {"other"});
    q.settings.hours = "office";
    make({q});
    ContactSpec s;
    s.id = 1;
    EXPECT_TRUE(core->enqueue(s).ok()) << "Monday 10:00 is open";
    clock.set(SysTime{sys_days{year{2026} / November / 2}} + hours{15});  // 16:00 local
    s.id = 2;
    auto late = core->enqueue(s);
    ASSERT_FALSE(late.ok());
    EXPECT_EQ(late.error().code, "queue_closed");
    EXPECT_FALSE(core->is_open("general"));
    clock.set(SysTime{sys_days{year{2026} / November / 11}} + hours{9});  // Independence Day, Wednesday
    s.id = 3;
    EXPECT_EQ(core->enqueue(s).error().code, "queue_closed");
    EXPECT_EQ(core->state_of(2), std::nullopt) << "a refusal changes nothing";
}

TEST_F(RoutingTest, AMessageLeftOutsideHoursWaitsInTheClosedQueueAndIsOfferedToWhoeverIsAvailable) {
    auto q = queue("general", {"other"});
    q.settings.hours = "office";
    make({q});
    clock.set(SysTime{sys_days{year{2026} / November / 2}} + hours{19});  // 20:00 local: closed
    ContactSpec s;
    s.id = 1;
    s.leave_message = true;
    ASSERT_TRUE(core->enqueue(s).ok());
    EXPECT_EQ(core->state_of(1), ContactState::waiting);
    EXPECT_EQ(core->position_of(1), 1);
    s.id = 2;
    s.leave_message = false;
    EXPECT_EQ(core->enqueue(s).error().code, "queue_closed") << "only a left message may wait while closed";
    // The next morning a consultant logs in and gets it.
    clock.set(SysTime{sys_days{year{2026} / November / 3}} + hours{7});
    agent(5);
    available(5);
    EXPECT_EQ(core->state_of(1), ContactState::offered);
    EXPECT_EQ(core->check_invariants(), "");
}

TEST_F(RoutingTest, FullQueueRefuses) {
    auto q = queue("general", {"other"});
    q.settings.max_waiting = 2;
    make({q});
    contact(1);
    contact(2);
    ContactSpec s;
    s.id = 3;
    EXPECT_EQ(core->enqueue(s).error().code, "queue_full");
}

TEST_F(RoutingTest, AbandonDuringOfferFreesTheAgent) {
    make({queue("general", {"other"})});
    agent(1);
    available(1);
    contact(10);
    contact(11);
    EXPECT_EQ(core->state_of(10), ContactState::offered);
    clock.advance(seconds(3));
    auto ev = core->abandon(10);
    ASSERT_TRUE(ev.ok());
    auto revoked = of(*ev, EventType::offer_revoked);
    ASSERT_EQ(revoked.size(), 1u);
    EXPECT_EQ(revoked[0].reason, "abandoned");
    EXPECT_EQ(of(*ev, EventType::contact_abandoned).size(), 1u);
    auto next = offer_to(*ev, 1);
    ASSERT_TRUE(next);
    EXPECT_EQ(next->contact, 11);
    EXPECT_EQ(core->state_of(10), std::nullopt);
    auto st = core->queue_stats()[0];
    EXPECT_EQ(st.abandoned_today, 1);
    EXPECT_EQ(st.abandoned_short_today, 1);
    EXPECT_EQ(core->agent(1)->missed_offers, 0);
    invariants();
}

TEST_F(RoutingTest, InterpreterContactIsOfferedToBothOrNobody) {
    make({queue("general", {"other"})});
    agent(1);                 // consultant
    agent(2, {{"pjm", 5}});   // interpreter (also eligible for general)
    available(1);
    ContactSpec s;
    s.id = 10;
    s.channel = Channel::video;
    s.needs_interpreter = true;
    auto ev = core->enqueue(s);
    ASSERT_TRUE(ev.ok());
    EXPECT_TRUE(of(*ev, EventType::offer_created).empty()) << "never offered to one side alone";
    EXPECT_EQ(core->agent(1)->activity, AgentActivity::idle);
    auto ev2 = available(2);
    auto offers = of(ev2, EventType::offer_created);
    ASSERT_EQ(offers.size(), 1u);
    EXPECT_EQ(offers[0].agents.size(), 2u);
    EXPECT_NE(offers[0].agents[0], offers[0].agents[1]);
    // Only when both accept is the contact answered.
    auto half = core->accept(offers[0].offer, 2);
    ASSERT_TRUE(half.ok());
    EXPECT_TRUE(of(*half, EventType::contact_assigned).empty());
    auto both = accept(offers[0], 1);
    auto assigned = of(both, EventType::contact_assigned);
    ASSERT_EQ(assigned.size(), 1u);
    EXPECT_EQ(assigned[0].agents.size(), 2u);
    invariants();
}

TEST_F(RoutingTest, ScarceInterpretersDoNotBlockOtherContacts) {
    make({queue("general", {"other"})});
    agent(1, {}, {{"video", 1}, {"chat", 3}});
    agent(2, {{"pjm", 5}}, {{"video", 1}});
    available(1);
    ContactSpec s;
    s.id = 10;
    s.channel = Channel::video;
    s.needs_interpreter = true;
    ASSERT_TRUE(core->enqueue(s).ok());
    clock.advance(seconds(5));
    // The consultant is not held back for the interpreter contact: a chat arriving later is served.
    auto chat = offer_to(contact(11, Channel::chat), 1);
    ASSERT_TRUE(chat);
    accept(*chat, 1);
    // When the interpreter comes, the pair forms (the consultant can still take video).
    auto ev = available(2);
    auto offers = of(ev, EventType::offer_created);
    ASSERT_EQ(offers.size(), 1u);
    EXPECT_EQ(offers[0].contact, 10);
    invariants();
}

TEST_F(RoutingTest, PairOfferLapsesForBothWhenOneSideDoesNotAnswer) {
    make({queue("general", {"other"})}, 5);
    agent(1);
    agent(2, {{"pjm", 5}});
    available(1);
    available(2);
    ContactSpec s;
    s.id = 10;
    s.channel = Channel::video;
    s.needs_interpreter = true;
    auto ev = core->enqueue(s);
    auto offer = of(*ev, EventType::offer_created);
    ASSERT_EQ(offer.size(), 1u);
    ASSERT_TRUE(core->accept(offer[0].offer, 1).ok());
    auto lapse = later(seconds(20));
    EXPECT_EQ(of(lapse, EventType::offer_revoked).size(), 1u);
    EXPECT_EQ(core->agent(1)->missed_offers, 0) << "the consultant answered";
    EXPECT_EQ(core->agent(2)->missed_offers, 1);
    EXPECT_EQ(core->state_of(10), ContactState::waiting);
    invariants();
}

TEST_F(RoutingTest, TransferToQueue) {
    make({queue("general", {"other"}), queue("dept_podatki", {}, {{"taxes", 3}})});
    agent(1);
    agent(2, {{"taxes", 4}});
    available(1);
    auto o = offer_to(contact(10), 1);
    clock.advance(seconds(5));
    accept(*o, 1);
    clock.advance(seconds(60));
    auto tr = core->transfer_to_queue(10, "dept_podatki", "decyzja podatkowa");
    ASSERT_TRUE(tr.ok()) << tr.error().message;
    auto moved = of(*tr, EventType::contact_transferred);
    ASSERT_EQ(moved.size(), 1u);
    EXPECT_EQ(moved[0].from_queue, "general");
    EXPECT_EQ(moved[0].note, "decyzja podatkowa");
    EXPECT_EQ(core->queue_of(10), "dept_podatki");
    EXPECT_EQ(core->agent(1)->active_contacts, 0);
    clock.advance(seconds(10));
    auto o2 = offer_to(available(2), 2);
    ASSERT_TRUE(o2);
    EXPECT_EQ(o2->waited_ms, 75000) << "waiting time keeps counting from the first enqueue";
    EXPECT_EQ(core->queue_stats()[0].handled_today, 1) << "the first line's part counts as handled";
    ASSERT_EQ(core->history_of(10).size(), 1u);
    EXPECT_EQ(core->history_of(10)[0], "transferred from general to dept_podatki: decyzja podatkowa");
    invariants();
}

TEST_F(RoutingTest, TransferToNamedAgentThenAnyoneAfterTimeout) {
    make({queue("general", {"other"})});
    agent(1);
    agent(2);
    agent(3);
    available(1);
    accept(*offer_to(contact(10), 1), 1);
    available(3);  // free, but the transfer names agent 2
    auto tr = core->transfer_to_agent(10, 2, "proszę o pomoc");
    ASSERT_TRUE(tr.ok());
    EXPECT_FALSE(offer_to(*tr, 3).has_value());
    EXPECT_FALSE(offer_to(*tr, 1).has_value());
    auto ev = available(2);
    auto o = offer_to(ev, 2);
    ASSERT_TRUE(o);
    ASSERT_TRUE(core->reject(o->offer, 2).ok());
    auto after = later(seconds(60));
    EXPECT_TRUE(offer_to(after, 3).has_value() || offer_to(after, 1).has_value())
        << "after the named agent's window anyone may take it";
    invariants();
}

TEST_F(RoutingTest, InviteBringsAnInterpreterIntoAnActiveContact) {
    make({queue("general", {"other"})});
    agent(1);
    agent(2, {{"pjm", 5}});
    available(1);
    accept(*offer_to(contact(10, Channel::video), 1), 1);
    auto inv = core->invite(10, "pjm");
    ASSERT_TRUE(inv.ok());
    EXPECT_TRUE(of(*inv, EventType::offer_created).empty()) << "interpreter offline";
    EXPECT_EQ(core->invite(10, "pjm").error().code, "invite_pending");
    auto ev = available(2);
    auto o = offer_to(ev, 2);
    ASSERT_TRUE(o);
    EXPECT_EQ(o->reason, "invite");
    auto joined = of(accept(*o, 2), EventType::participant_joined);
    ASSERT_EQ(joined.size(), 1u);
    EXPECT_EQ(core->agents_of(10).size(), 2u);
    auto closed = core->close(10);
    ASSERT_TRUE(closed.ok());
    EXPECT_EQ(of(*closed, EventType::contact_closed)[0].agents.size(), 2u);
    invariants();
}

TEST_F(RoutingTest, EstimatedWaitGrowsWithPositionAndShrinksWithStaff) {
    make({queue("general", {"other"})});
    agent(1, {}, {{"voice", 1}});
    agent(2, {}, {{"voice", 1}});
    ASSERT_TRUE(core->set_status(1, AgentStatus::on_break, "lunch").ok());
    for (ContactId c = 1; c <= 4; ++c) contact(c, Channel::voice);
    const int e1 = *core->ewt_seconds_of(1), e4 = *core->ewt_seconds_of(4);
    EXPECT_GT(e1, 0);
    EXPECT_EQ(e4, 4 * e1) << "linear in position with the same staff";
    // With both agents logged in (both now on offers), contact 4 is 2nd in
    // line and two phones share the work: 2 x AHT / 2 slots.
    available(1);
    available(2);
    ASSERT_EQ(core->position_of(4), 2);
    EXPECT_EQ(*core->ewt_seconds_of(4), e1);
    EXPECT_LT(*core->ewt_seconds_of(4), e4);
}

TEST_F(RoutingTest, RestoreRebuildsLineAndAssignments) {
    make({queue("general", {"other"})});
    agent(1);
    ContactSpec waiting;
    waiting.id = 10;
    waiting.enqueued_at = clock.now() - seconds(300);
    ContactSpec newer = waiting;
    newer.id = 11;
    newer.enqueued_at = clock.now() - seconds(100);
    ASSERT_TRUE(core->restore_waiting(newer).ok());
    ASSERT_TRUE(core->restore_waiting(waiting).ok());
    EXPECT_EQ(core->position_of(10), 1) << "original enqueue time decides the place";
    ActiveAssignment a;
    a.contact.id = 12;
    a.queue = "general";
    a.agents = {1};
    a.assigned_at = clock.now() - seconds(50);
    ASSERT_TRUE(core->restore_active(a).ok());
    EXPECT_EQ(core->agent(1)->active_contacts, 1);
    EXPECT_EQ(core->agent(1)->status, AgentStatus::offline);
    auto ev = available(1);
    auto o = offer_to(ev, 1);
    ASSERT_TRUE(o);
    EXPECT_EQ(o->contact, 10);
    EXPECT_EQ(o->waited_ms, 300000);
    invariants();
}

TEST_F(RoutingTest, LiveAgentCountsFollowState) {
    make({queue("general", {"other"})});
    agent(1, {}, {{"voice", 1}});
    agent(2, {}, {{"voice", 1}});
    available(1);
    ASSERT_TRUE(core->set_status(2, AgentStatus::on_break, "lunch").ok());
    auto st = core->queue_stats()[0];
    EXPECT_EQ(st.agents_available, 1);
    EXPECT_EQ(st.agents_break, 1);
    accept(*offer_to(contact(10, Channel::voice), 1), 1);
    st = core->queue_stats()[0];
    EXPECT_EQ(st.agents_available, 0);
    EXPECT_EQ(st.agents_busy, 1);
    clock.advance(seconds(40));
    contact(11, Channel::voice);
    EXPECT_EQ(core->queue_stats()[0].longest_wait_seconds, 0);
    clock.advance(seconds(7));
    EXPECT_EQ(core->queue_stats()[0].longest_wait_seconds, 7);
}

TEST_F(RoutingTest, InvalidCommandsChangeNothing) {
    make({queue("general", {"other"})});
    agent(1);
    EXPECT_EQ(core->accept(999, 1).error().code, "offer_not_found");
    EXPECT_EQ(core->close(999).error().code, "contact_not_found");
    EXPECT_EQ(core->set_status(42, AgentStatus::available).error().code, "agent_not_found");
    contact(10);
    EXPECT_EQ(core->close(10).error().code, "contact_not_active");
    EXPECT_EQ(core->enqueue(ContactSpec{10}).error().code, "contact_exists");
    EXPECT_EQ(core->transfer_to_queue(10, "nowhere", "").error().code, "unknown_queue");
    available(1);
    auto st = core->state_of(10);
    EXPECT_EQ(st, ContactState::offered);
    EXPECT_EQ(core->abandon(999).error().code, "contact_not_found");
    invariants();
}

TEST_F(RoutingTest, StateDurationsAccumulatePerDay) {
    make({queue("general", {"other"})});
    agent(1, {}, {{"voice", 1}});
    clock.advance(minutes(10));
    available(1);
    clock.advance(minutes(5));
    accept(*offer_to(contact(10, Channel::voice), 1), 1);
    clock.advance(minutes(3));
    ASSERT_TRUE(core->close(10).ok());
    clock.advance(minutes(2));
    auto st = core->agent(1)->state_seconds_today;
    EXPECT_EQ(st["offline"], 600);
    EXPECT_EQ(st["available"], 5 * 60 + 2 * 60);
    EXPECT_EQ(st["busy"], 180);
    EXPECT_EQ(core->agent(1)->handled_today, 1);
}

TEST_F(RoutingTest, PreferredAgentFirstThenAnyoneAfterTheTimeout) {
    make({queue("general", {"other"})});
    agent(1);
    agent(2);
    available(2);
    ContactSpec s;
    s.id = 10;
    s.preferred_agent = 1;  // served this resident last time
    s.preferred_until = clock.now() + seconds(45);
    auto ev = core->enqueue(s);
    ASSERT_TRUE(ev.ok());
    EXPECT_FALSE(offer_to(*ev, 2).has_value()) << "kept for the consultant who knows the case";
    auto mid = later(seconds(44));
    EXPECT_FALSE(offer_to(mid, 2).has_value());
    auto after = later(seconds(1));
    EXPECT_TRUE(offer_to(after, 2).has_value()) << "then anyone may take it";
    invariants();
}

TEST_F(RoutingTest, PreferredAgentGetsItWhenComingBackInTime) {
    make({queue("general", {"other"})});
    agent(1);
    agent(2);
    available(2);
    ContactSpec s;
    s.id = 10;
    s.preferred_agent = 1;
    s.preferred_until = clock.now() + seconds(45);
    ASSERT_TRUE(core->enqueue(s).ok());
    clock.advance(seconds(10));
    auto ev = available(1);
    EXPECT_TRUE(offer_to(ev, 1).has_value());
}

TEST_F(RoutingTest, QueueSettingsChangeWhileRunning) {
    make({queue("general", {"other"}), queue("dept", {})});
    auto settings = core->queue_settings();
    QueueSettings g = settings[0];
    ASSERT_EQ(g.id, "general");
    contact(100);  // waits: nobody available
    clock.advance(seconds(50));
    g.sla_seconds = 45;
    g.offer_timeout_seconds = 9;
    g.overflow = Overflow{60, "dept"};
    ASSERT_TRUE(core->update_queue(g).ok());
    EXPECT_EQ(core->queue_settings()[0].sla_seconds, 45);
    // The overflow counts from when the contact entered the queue: 10 s more.
    clock.advance(seconds(9));
    EXPECT_TRUE(of(core->tick(), EventType::contact_transferred).empty());
    clock.advance(seconds(1));
    auto moved = of(core->tick(), EventType::contact_transferred);
    ASSERT_EQ(moved.size(), 1u);
    EXPECT_EQ(moved[0].queue, "dept");
    // In dept it is offered with dept's timeout; general's new one reads back.
    agent(1);
    auto offered = offer_to(available(1), 1);
    ASSERT_TRUE(offered.has_value());
    EXPECT_EQ(offered->expires_in, 20);
    g = core->queue_settings()[0];
    EXPECT_EQ(g.offer_timeout_seconds, 9);

    // What cannot change while running, and impossible values, are refused.
    QueueSettings bad = g;
    bad.channels = {"chat"};
    EXPECT_EQ(core->update_queue(bad).error().code, "not_editable");
    bad = g;
    bad.overflow = Overflow{10, "general"};
    EXPECT_FALSE(core->update_queue(bad).ok());
    bad = g;
    bad.hours = "no_such_schedule";
    EXPECT_FALSE(core->update_queue(bad).ok());
    bad.id = "nope";
    EXPECT_EQ(core->update_queue(bad).error().code, "queue_not_found");
    // Closing hours apply at once.
    g.hours = "office";
    ASSERT_TRUE(core->update_queue(g).ok());
    clock.set(SysTime{sys_days{year{2026} / November / 1}} + hours{12});  // a Sunday
    EXPECT_FALSE(core->is_open("general"));
    invariants();
}

TEST_F(RoutingTest, TodaysCountersRestoreAndMissedOffersCountPerDay) {
    make({queue("general", {"other"})});
    agent(1);
    agent(2);
    TodayCounters t;
    t.queues["general"] = {10, 8, 6, 2, 1, 80'000, 7, 700'000};
    t.agents[1] = {4, 400'000, 3};
    t.queues["unknown"] = {1, 1, 1, 1, 1, 1, 1, 1};
    t.agents[99] = {1, 1, 1};
    ASSERT_TRUE(core->restore_today(t).ok());
    auto q = core->queue_stats()[0];
    EXPECT_EQ(q.offered_today, 10);
    EXPECT_EQ(q.answered_in_sla_today, 6);
    EXPECT_DOUBLE_EQ(q.service_level_pct(), 60.0);
    EXPECT_DOUBLE_EQ(q.asa_seconds(), 10.0);
    EXPECT_DOUBLE_EQ(q.aht_seconds(), 100.0);
    EXPECT_EQ(core->agent(1)->missed_today, 3);

    // A lapsed offer is a miss today; it stays counted after the agent answers the next.
    contact(100);
    auto ev = available(2);
    auto lapsed = later(seconds(20));
    auto revoked = of(lapsed, EventType::offer_revoked);
    ASSERT_EQ(revoked.size(), 1u);
    EXPECT_EQ(revoked[0].missed, std::vector<AgentId>{2});
    EXPECT_EQ(core->agent(2)->missed_today, 1);
    auto again = available(1);
    auto o = offer_to(again, 1);
    ASSERT_TRUE(o.has_value());
    accept(*o, 1);
    EXPECT_EQ(core->agent(1)->missed_today, 3);
    EXPECT_EQ(core->queue_stats()[0].offered_today, 11);

    // Transferring an answered contact reports how long it was handled.
    clock.advance(seconds(42));
    auto tr = core->transfer_to_queue(100, "general", "");
    ASSERT_TRUE(tr.ok());
    auto t1 = of(*tr, EventType::contact_transferred);
    ASSERT_EQ(t1.size(), 1u);
    EXPECT_EQ(t1[0].handled_ms, 42'000);
    // Midnight resets the day's counters (both leave first: no offer lapses at the jump).
    ASSERT_TRUE(core->set_status(1, AgentStatus::offline).ok());
    ASSERT_TRUE(core->set_status(2, AgentStatus::offline).ok());
    clock.set(SysTime{sys_days{year{2026} / November / 2}} + hours{23} + minutes{1});  // 00:01 on the 3rd
    core->tick();
    EXPECT_EQ(core->queue_stats()[0].offered_today, 0);
    EXPECT_EQ(core->agent(2)->missed_today, 0);
    invariants();
}

// positions_changed says from which place the line moved, and places_in lists
// the line from there with the figures position_of / ewt_seconds_of give.
TEST_F(RoutingTest, PositionsChangedStartsAtTheFirstPlaceThatMovedAndPlacesInMatchesPositionOf) {
    make({queue("general", {"other"})});
    for (ContactId id = 1; id <= 6; ++id) {
        clock.advance(seconds(1));
        auto ev = contact(id);
        auto moved = of(ev, EventType::positions_changed);
        ASSERT_EQ(moved.size(), 1u);
        EXPECT_EQ(moved[0].position, int(id)) << "a newcomer at the end moves nobody before it";
    }
    auto check_all = [&] {
        const auto places = core->places_in("general", Channel::chat);
        for (const auto& p : places) {
            EXPECT_EQ(core->position_of(p.contact), p.position) << p.contact;
            EXPECT_EQ(core->ewt_seconds_of(p.contact).value_or(0), p.ewt_seconds) << p.contact;
        }
        return places.size();
    };
    EXPECT_EQ(check_all(), 6u);

    // Contact 3 leaves: those from place 3 on moved.
    auto gone = core->abandon(3);
    ASSERT_TRUE(gone.ok());
    auto moved = of(*gone, EventType::positions_changed);
    ASSERT_EQ(moved.size(), 1u);
    EXPECT_EQ(moved[0].position, 3);
    const auto from3 = core->places_in("general", Channel::chat, 3);
    ASSERT_EQ(from3.size(), 3u);
    EXPECT_EQ(from3[0].contact, 4);
    EXPECT_EQ(from3[0].position, 3);
    EXPECT_EQ(from3[2].contact, 6);
    EXPECT_EQ(from3[2].position, 5);
    EXPECT_EQ(check_all(), 5u);

    // An agent takes the head: it is on offer (place 1, EWT 0) until accepted.
    agent(1, {}, {{"chat", 1}});
    auto ev = available(1);
    auto offer = offer_to(ev, 1);
    ASSERT_TRUE(offer.has_value());
    EXPECT_EQ(offer->contact, 1);
    auto on_offer = of(ev, EventType::positions_changed);
    ASSERT_EQ(on_offer.size(), 1u);
    EXPECT_EQ(on_offer[0].position, 1);
    EXPECT_EQ(check_all(), 5u) << "the contact on offer is listed at the place it would have";
    accept(*offer, 1);
    EXPECT_EQ(check_all(), 4u);
    EXPECT_TRUE(core->places_in("general", Channel::voice).empty());
    EXPECT_TRUE(core->places_in("no_such_queue", Channel::chat).empty());
    invariants();
}
namespace {

// A callback slot is counted apart from chat: a consultant with three chats
// still takes a callback, one callback at a time, and one without a
// callback slot (capacity 0, or a profile without the channel) never.
TEST_F(RoutingTest, CallbacksHaveTheirOwnSlotBesideChats) {
    auto q = queue("general", {"other"});
    q.settings.channels.push_back("callback");
    make({q});
    agent(1, {}, effective_capacity({{"chat", 3}, {"voice", 1}, {"video", 1}}));  // stored before callbacks: gets 1
    agent(2, {}, {{"chat", 3}, {"callback", 0}});
    available(2);
    for (ContactId c = 10; c < 13; ++c) {
        auto o = offer_to(contact(c), 2);
        ASSERT_TRUE(o);
        accept(*o, 2);
    }
    auto none = contact(20, Channel::callback);
    EXPECT_FALSE(offer_to(none, 2)) << "no callback slot";
    EXPECT_EQ(core->state_of(20), ContactState::waiting);
    auto ev = available(1);
    auto o = offer_to(ev, 1);
    ASSERT_TRUE(o);
    EXPECT_EQ(o->contact, 20);
    accept(*o, 1);
    for (ContactId c = 30; c < 33; ++c) {
        auto oc = offer_to(contact(c), 1);
        ASSERT_TRUE(oc) << "chats beside a callback in progress";
        accept(*oc, 1);
    }
    contact(21, Channel::callback);
    EXPECT_EQ(core->state_of(21), ContactState::waiting) << "one callback at a time";
    auto closed = core->close(20);
    ASSERT_TRUE(closed.ok());
    EXPECT_TRUE(offer_to(*closed, 1)) << "the next callback once the first is done";
    invariants();
}


// A consultant who goes offline while holding a callback (the call not yet
// made, or the laptop closed) does not keep it: it goes back in line at once
// with its original enqueue time and the next consultant gets it. A chat held
// by the same consultant stays (chats have the return grace of the chat layer).
TEST_F(RoutingTest, ACallbackGoesBackInLineWhenItsConsultantGoesOffline) {
    auto q = queue("general", {"other"});
    q.settings.channels.push_back("callback");
    make({q});
    agent(1, {}, {{"chat", 3}, {"callback", 1}});
    agent(2, {}, {{"chat", 3}, {"callback", 1}});
    available(1);
    auto cb = offer_to(contact(20, Channel::callback), 1);
    ASSERT_TRUE(cb);
    accept(*cb, 1);
    clock.advance(seconds(5));
    auto chat = offer_to(contact(30), 1);
    ASSERT_TRUE(chat);
    accept(*chat, 1);

    clock.advance(seconds(90));
    available(2);
    auto off = core->set_status(1, AgentStatus::offline);
    ASSERT_TRUE(off.ok());
    auto back = of(*off, EventType::contact_transferred);
    ASSERT_EQ(back.size(), 1u);
    EXPECT_EQ(back[0].contact, 20);
    EXPECT_EQ(back[0].reason, "agent_offline");
    EXPECT_EQ(back[0].queue, "general");
    EXPECT_EQ(back[0].from_queue, "general");
    EXPECT_EQ(back[0].agents, std::vector<AgentId>{1});
    auto next = offer_to(*off, 2);
    ASSERT_TRUE(next) << "the next consultant is offered the callback at once";
    EXPECT_EQ(next->contact, 20);
    EXPECT_EQ(next->waited_ms, 95000) << "waiting counted from its original enqueue time";
    EXPECT_EQ(core->state_of(30), ContactState::active) << "the chat stays with its consultant";
    EXPECT_EQ(core->agents_of(30), std::vector<AgentId>{1});
    accept(*next, 2);
    EXPECT_EQ(core->agents_of(20), std::vector<AgentId>{2});
    const auto st = core->queue_stats()[0];
    EXPECT_EQ(st.offered_today, 3) << "callback twice (back in line is a new entry), chat once";
    EXPECT_EQ(st.answered_today, 3);
    EXPECT_EQ(st.handled_today, 1) << "agent 1's part of the callback";
    // A break keeps a callback in progress; only leaving gives it back.
    ASSERT_TRUE(core->set_status(2, AgentStatus::on_break, "lunch").ok());
    EXPECT_EQ(core->agents_of(20), std::vector<AgentId>{2});
    invariants();
}

// A resident waiting in the chat books a callback instead: the callback takes
// the chat's place and queue entry (not offered again, the chat not abandoned)
// and keeps its waiting time.
TEST_F(RoutingTest, ACallbackTakesTheWaitingChatsPlaceInLine) {
    auto q = queue("general", {"other"});
    q.settings.channels.push_back("callback");
    make({q});
    agent(1, {}, {{"callback", 1}});
    agent(2, {}, {{"chat", 1}});
    contact(10);
    clock.advance(seconds(10));
    contact(11);
    clock.advance(seconds(10));
    contact(12);
    clock.advance(seconds(100));
    ContactSpec cb;
    cb.id = 50;
    cb.channel = Channel::callback;
    auto r = core->replace_waiting(11, cb);
    ASSERT_TRUE(r.ok()) << r.error().message;
    auto rep = of(*r, EventType::contact_replaced);
    ASSERT_EQ(rep.size(), 1u);
    EXPECT_EQ(rep[0].contact, 11);
    EXPECT_EQ(rep[0].replaced_by, 50);
    EXPECT_EQ(rep[0].waited_ms, 110000);
    EXPECT_TRUE(of(*r, EventType::contact_abandoned).empty());
    EXPECT_TRUE(of(*r, EventType::contact_queued).empty()) << "the same queue entry";
    EXPECT_FALSE(core->state_of(11)) << "the chat left routing";
    EXPECT_EQ(core->queue_of(50), "general");
    EXPECT_EQ(core->position_of(50), 1) << "first among callbacks";
    EXPECT_EQ(core->position_of(12), 2) << "the chat after it moved up";
    auto st = core->queue_stats()[0];
    EXPECT_EQ(st.offered_today, 3);
    EXPECT_EQ(st.abandoned_today, 0);
    EXPECT_EQ(st.waiting, 3);
    EXPECT_EQ(st.longest_wait_seconds, 120);

    auto ev = available(1);
    auto o = std::find_if(ev.begin(), ev.end(), [](const Event& e) {
        return e.type == EventType::offer_created && e.contact == 50;
    });
    ASSERT_NE(o, ev.end()) << "the callback is offered beside the chats";
    auto assigned = of(accept(*o, 1), EventType::contact_assigned);
    ASSERT_EQ(assigned.size(), 1u);
    EXPECT_EQ(assigned[0].waited_ms, 110000) << "waited since the chat was queued";

    // Refused: an answered chat, an unknown one.
    auto chat = offer_to(available(2), 2);
    ASSERT_TRUE(chat);
    EXPECT_EQ(chat->contact, 10);
    accept(*chat, 2);
    EXPECT_EQ(core->replace_waiting(10, ContactSpec{.id = 51, .channel = Channel::callback}).error().code,
              "contact_active");
    EXPECT_EQ(core->replace_waiting(99, ContactSpec{.id = 52, .channel = Channel::callback}).error().code,
              "contact_not_found");
    invariants();
}

}  // namespace
