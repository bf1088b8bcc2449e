// The namespaces of the e-government gateway's SyncChannel and AsyncChannel v10 (note `Types` against `types`: both exist).

/** Wrapper elements of SyncChannel (`SendMessage`, its response and fault). */
export const SYNC_NS = 'http://bip.bee.kz/SyncChannel/v10/Types';
/** Wrapper elements of the gateway side of AsyncChannel (`sendMessage`, `getMessageStatus` …). */
export const ASYNC_NS = 'http://bip.bee.kz/AsyncChannel/v10/Types';
/** Wrapper elements of the participant side of AsyncChannel (what the gateway pushes to us). */
export const ASYNC_CLIENT_NS = 'http://bip.bee.kz/AsyncChannel/v10/Types/Client';
/** XML Schema instance (`xsi:type` on a typed `data`). */
export const XSI_NS = 'http://www.w3.org/2001/XMLSchema-instance';
/** The unified document system's document model (`docOutgoing`). */
export const ESEDO_NS = 'http://esedo.nitec.kz/service/model/document';
