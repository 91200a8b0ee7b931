// Calls made as the signed-in voter. A 401 means the session is over (signed out elsewhere,
// ended by the kiosk, or its time ran out): the token is forgotten at once, with the draft
// (this browser may be shared), and the voter is taken to sign-in with the reason.
import { api } from "../api.js";
import { t } from "../i18n.js";
import { session, forgetVoter, setFlash } from "./state.js";
import { go } from "./ui.js";

// Thrown after the voter was sent to sign-in; the router shows nothing more for it.
export const SESSION_ENDED = { code: "session_ended", handled: true };

export async function voterApi(eid, method, path, body, headers) {
  const s = session(eid);
  if (!s) { go(`#/e/${eid}/signin`, true); throw SESSION_ENDED; }
  try {
    return await api(method, `/elections/${eid}${path}`, body, s.token, headers);
  } catch (e) {
    if (e.status === 401) return sessionEnded(eid);
    throw e;
  }
}

// Signs out every voter this tab holds: the storage is cleared first (nothing is left even if
// the server is slow to answer), then each session is ended on the server.
export async function signOutAll() {
  const sessions = [];
  for (let i = 0; i < sessionStorage.length; i++) {
    const k = sessionStorage.key(i);
    if (!k.startsWith("pb-voter-")) continue;
    try { sessions.push([k.slice(9), JSON.parse(sessionStorage.getItem(k)).token]); } catch (e) { /* unreadable: cleared below */ }
  }
  sessionStorage.clear();
  await Promise.all(sessions.map(([id, token]) => api("DELETE", `/elections/${id}/voter-sessions/current`, undefined, token).catch(() => {})));
}

function sessionEnded(eid) {
  forgetVoter(eid);
  setFlash(t("sessionEnded"));
  go(`#/e/${eid}/signin`, true);
  throw SESSION_ENDED;
}
