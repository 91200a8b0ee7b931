/*
 * site: what the pages need to know about this installation that is not about one
 * election: today the map's tile source (--map-tiles) and its required credit.
 */
#include "core/reply.h"
#include "api/handlers.h"

void site_config(struct req *r)
{
    cJSON *body = cJSON_CreateObject();
    cJSON *map = cJSON_AddObjectToObject(body, "map");
    cJSON_AddStringToObject(map, "tiles", r->app->cfg.map_tiles);
    cJSON_AddStringToObject(map, "attribution", r->app->cfg.map_attribution);
    req_add_header(r, "Cache-Control", "public, max-age=300");
    req_reply_json(r, 200, body);
}
