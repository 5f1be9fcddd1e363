// Randomised, seeded command sequences against the routing core: whatever
// happens, no contact is lost or duplicated, nobody exceeds capacity, nothing
// matchable is left waiting, and the statistics equal a recount of the events.
#include <gtest/gtest.h>

#include <map>
#include <random>
#include <set>

#include "centrala/routing/core.hpp"

using namespace centrala;
using namespace centrala::routing;
using namespace std::chrono;

namespace {

CoreConfig config() {
    CoreConfig c;
    auto q = [](std::string id, std::vector<std::string> topics, Skills skills, Strategy st) {
        QueueConfig qc;
        qc.settings.id = id;
        qc.settings.name = id;
        qc.settings.channels = {"voice", "chat", "video", "callback"};
        qc.settings.topics = std::move(topics);
        qc.settings.skills = std::move(skills);
        qc.settings.offer_timeout_seconds = 15;
        qc.settings.wrap_up_seconds = 10;
        qc.settings.max_waiting = 40;
        qc.strategy = st;
        return qc;
    };
    auto vehicles = q("vehicles", {"vehicles"}, {{"vehicles", 2}}, Strategy::longest_idle);
    vehicles.settings.overflow = Overflow{45, "general"};
    c.queues = {vehicles, q("waste", {"waste"}, {{"waste", 1}}, Strategy::least_occupied),
                q("taxes", {"taxes"}, {{"taxes", 3}}, Strategy::skill_level),
                q("general", {"other", "human"}, {}, Strategy::round_robin)};
    c.missed_offers_to_break = 3;
    return c;
}

struct Recount {
    std::map<std::string, int64_t> offered, answered, abandoned, handled;
};

void run_seed(uint32_t seed, int steps) {
    std::mt19937 rng(seed);
    auto pick = [&](int n) { return int(rng() % uint32_t(n)); };
    ManualClock clock(SysTime{sys_days{year{2026} / June / 3}} + hours{8});
    Core core(clock, config());
    const std::vector<std::string> topics = {"vehicles", "waste", "taxes", "other", "human"};
    const std::vector<std::string> queue_ids = {"vehicles", "waste", "taxes", "general"};
    const std::vector<std::string> skill_ids = {"vehicles", "waste", "taxes", "pjm"};
    std::vector<AgentId> agents;
    for (AgentId a = 1; a <= 8; ++a) {
        Skills sk;
        for (const auto& s : skill_ids)
            if (pick(2)) sk[s] = 1 + pick(5);
        Capacity cap = {{"voice", 1}, {"chat", pick(4)}, {"video", pick(2)}, {"callback", 1}};
        ASSERT_TRUE(core.add_agent({a, "a", sk, cap}).ok());
        agents.push_back(a);
    }
    std::map<OfferId, std::vector<AgentId>> offers;  // live offers from events
    std::map<OfferId, ContactId> offer_contact;
    std::set<ContactId> alive;                        // contacts in routing per events
    Recount rc;
    std::map<ContactId, std::string> queue_of;
    ContactId next_contact = 1;

    auto absorb = [&](const Events& es) {
        for (const auto& e : es) {
            switch (e.type) {
                case EventType::contact_queued:
                    ASSERT_TRUE(alive.insert(e.contact).second) << "contact queued twice";
                    rc.offered[e.queue]++;
                    queue_of[e.contact] = e.queue;
                    break;
                case EventType::offer_created:
                    ASSERT_TRUE(alive.count(e.contact)) << "offer for an unknown contact";
                    offers[e.offer] = e.agents;
                    offer_contact[e.offer] = e.contact;
                    break;
                case EventType::offer_revoked: offers.erase(e.offer); break;
                case EventType::contact_assigned:
                case EventType::participant_joined:
                    if (e.type == EventType::contact_assigned && e.reason == "answered") rc.answered[e.queue]++;
                    for (auto it = offers.begin(); it != offers.end();)
                        it = offer_contact[it->first] == e.contact ? offers.erase(it) : std::next(it);
                    break;
                case EventType::contact_transferred:
                    if (!e.agents.empty()) rc.handled[e.from_queue]++;
                    if (e.reason != "transfer_to_agent") rc.offered[e.queue]++;
                    queue_of[e.contact] = e.queue;
                    break;
                case EventType::contact_abandoned:
                    rc.abandoned[e.queue]++;
                    ASSERT_EQ(alive.erase(e.contact), 1u);
                    break;
                case EventType::contact_closed:
                    rc.handled[e.queue]++;
                    ASSERT_EQ(alive.erase(e.contact), 1u);
                    break;
                default: break;
            }
        }
    };

    for (int step = 0; step < steps; ++step) {
        const int op = pick(100);
        Result<Events> r = Events{};
        if (op < 25) {
            ContactSpec s;
            s.id = next_contact++;
            s.channel = Channel(pick(4));
            s.topic = topics[size_t(pick(int(topics.size())))];
            s.priority = pick(10) == 0 ? 5 : 0;
            s.needs_interpreter = pick(15) == 0;
            r = core.enqueue(s);
            if (!r.ok()) {
                ASSERT_EQ(r.error().code, "queue_full") << r.error().message;
                continue;
            }
        } else if (op < 40) {
            const AgentId a = agents[size_t(pick(int(agents.size())))];
            const int st = pick(10);
            r = core.set_status(a, st < 7 ? AgentStatus::available : st < 9 ? AgentStatus::on_break : AgentStatus::offline,
                                "test");
        } else if (op < 58 && !offers.empty()) {
            auto it = std::next(offers.begin(), pick(int(offers.size())));
            r = core.accept(it->first, it->second[size_t(pick(int(it->second.size())))]);
            if (!r.ok()) {
                ASSERT_EQ(r.error().code, "already_accepted");
            }
        } else if (op < 63 && !offers.empty()) {
            auto it = std::next(offers.begin(), pick(int(offers.size())));
            r = core.reject(it->first, it->second[0]);
        } else if (op < 70 && !alive.empty()) {
            const ContactId c = *std::next(alive.begin(), pick(int(alive.size())));
            r = core.abandon(c);
            if (!r.ok()) {
                ASSERT_EQ(r.error().code, "contact_active");
            }
        } else if (op < 82 && !alive.empty()) {
            const ContactId c = *std::next(alive.begin(), pick(int(alive.size())));
            r = core.close(c);
            if (!r.ok()) {
                ASSERT_EQ(r.error().code, "contact_not_active");
            }
        } else if (op < 86 && !alive.empty()) {
            const ContactId c = *std::next(alive.begin(), pick(int(alive.size())));
            r = core.transfer_to_queue(c, queue_ids[size_t(pick(int(queue_ids.size())))], "note");
            if (!r.ok()) {
                ASSERT_TRUE(r.error().code == "queue_full" || r.error().code == "channel_not_served");
            }
        } else if (op < 88 && !alive.empty()) {
            const ContactId c = *std::next(alive.begin(), pick(int(alive.size())));
            r = core.transfer_to_agent(c, agents[size_t(pick(int(agents.size())))], "");
            if (!r.ok()) {
                ASSERT_EQ(r.error().code, "already_assigned");
            }
        } else if (op < 90 && !alive.empty()) {
            const ContactId c = *std::next(alive.begin(), pick(int(alive.size())));
            r = core.invite(c, "pjm");
            if (!r.ok()) {
                ASSERT_TRUE(r.error().code == "contact_not_active" || r.error().code == "invite_pending");
            }
        } else {
            clock.advance(milliseconds(pick(20000)));
            r = core.tick();
        }
        if (r.ok()) absorb(*r);
        if (getenv("ROUTING_DEBUG") && r.ok()) {
            for (const auto& e : *r) {
                printf("step %d op %d: %s contact=%ld offer=%ld agents=", step, op, std::string(to_string(e.type)).c_str(), long(e.contact), long(e.offer));
                for (auto a : e.agents) printf("%ld,", long(a));
                printf(" ch=%d reason=%s\n", int(e.channel), e.reason.c_str());
            }
        }
        ASSERT_EQ(core.check_invariants(), "") << "seed " << seed << " step " << step;
        ASSERT_EQ(core.contact_count(), alive.size()) << "seed " << seed << " step " << step;
        for (ContactId c : alive) ASSERT_TRUE(core.state_of(c).has_value()) << "lost contact " << c;
    }
    for (const auto& q : core.queue_stats()) {
        EXPECT_EQ(q.offered_today, rc.offered[q.id]) << "seed " << seed << " queue " << q.id;
        EXPECT_EQ(q.answered_today, rc.answered[q.id]) << "seed " << seed << " queue " << q.id;
        EXPECT_EQ(q.abandoned_today, rc.abandoned[q.id]) << "seed " << seed << " queue " << q.id;
        EXPECT_EQ(q.handled_today, rc.handled[q.id]) << "seed " << seed << " queue " << q.id;
    }
    // Drain: everyone available, accept everything; every contact ends up served.
    for (AgentId a : agents) absorb(*core.set_status(a, AgentStatus::available));
    for (int round = 0; round < 2000 && !alive.empty(); ++round) {
        for (auto [oid, as] : std::map<OfferId, std::vector<AgentId>>(offers))
            for (AgentId a : as) {
                auto r = core.accept(oid, a);
                if (r.ok()) absorb(*r);
            }
        for (ContactId c : std::set<ContactId>(alive))
            if (core.state_of(c) == ContactState::active) absorb(*core.close(c));
        clock.advance(seconds(31));
        absorb(core.tick());
        ASSERT_EQ(core.check_invariants(), "");
    }
    // Contacts nobody can serve (skills no agent has) may remain; all others were served.
    for (ContactId c : alive) {
        auto st = core.state_of(c);
        ASSERT_TRUE(st.has_value());
        EXPECT_EQ(*st, ContactState::waiting) << "seed " << seed << " contact " << c;
    }
}

}  // namespace

TEST(RoutingProperties, RandomCommandSequencesKeepEveryInvariant) {
    for (uint32_t seed = getenv("ROUTING_SEED") ? uint32_t(atoi(getenv("ROUTING_SEED"))) : 1; seed <= 40; ++seed) {
        run_seed(seed, 1500);
        if (HasFatalFailure()) return;
    }
}
