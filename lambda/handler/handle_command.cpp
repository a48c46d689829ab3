#include "handler/bundle.hpp"
#include "handler/db_config.hpp"
#include "handler/engine_setup.hpp"
#include "handler/handler.hpp"
#include "handler/report_json.hpp"

#include <ratchet/engine.hpp>

namespace ratchet::lambda {

outcome handle_command(const command_event& c, const time_budget& budget, progress& prog) {
    try {
        if (budget.too_short) throw config_error("the function's timeout is too short (raise it to at least " +
                                                 std::to_string(minimum_timeout().count() / 1000 + 1) + " s)");
        prog.set("loading the bundled migrations");
        const bundle b = load_bundle();
        prog.set("resolving database credentials");
        const db_config cfg = resolve_db_config(resource_properties{}, budget.left(clock::now(), std::chrono::seconds{10}));
        ratchet::engine eng{make_engine_options(cfg, b, budget, prog)};
        prog.set("running " + c.command);
        outcome o;
        if (c.command == "status") o.data = to_json(eng.status());
        if (c.command == "plan") o.data = to_json(eng.plan());
        if (c.command == "deploy") o.data = to_json(eng.deploy());
        o.data["migrationsHash"] = b.hash;
        o.data["database"] = physical_id_of(resource_properties{});
        return o;
    } catch (...) {
        return failure_from_current_exception("", prog.get());
    }
}

}  // namespace ratchet::lambda
