// Which case category a message left with the advisor outside opening hours
// goes under (FlowsModule::message_category): the topic's own category that
// needs no location, else one of topic `other`, else any without a location.
#include <gtest/gtest.h>

#include "centrala/api/flows.hpp"

namespace centrala::api {
namespace {

Service svc(std::string code, std::string topic, bool location) {
    Service s;
    s.code = std::move(code);
    s.topic = std::move(topic);
    s.location_required = location;
    return s;
}

TEST(MessageCategory, TheTopicsOwnCategoryWithoutALocationFirst) {
    const std::vector<Service> services = {svc("odpady_nieodebrane", "waste", true), svc("odpady_deklaracja", "waste", false),
                                           svc("wiadomosc_czat", "other", false), svc("oswietlenie", "report", true)};
    EXPECT_EQ(FlowsModule::message_category(services, "waste"), "odpady_deklaracja");
    EXPECT_EQ(FlowsModule::message_category(services, "civil_registry"), "wiadomosc_czat") << "no category of its own";
    EXPECT_EQ(FlowsModule::message_category(services, "report"), "wiadomosc_czat") << "reports need a place";
}

TEST(MessageCategory, WithoutAnOtherCategoryAnyWithoutALocationAndNoneAtAll) {
    EXPECT_EQ(FlowsModule::message_category({svc("oswietlenie", "report", true), svc("prawo_jazdy", "driving_licence", false)},
                                            "taxes"),
              "prawo_jazdy");
    EXPECT_EQ(FlowsModule::message_category({svc("oswietlenie", "report", true)}, "taxes"), "")
        << "only report categories: nothing to file a message under";
}

}  // namespace
}  // namespace centrala::api
