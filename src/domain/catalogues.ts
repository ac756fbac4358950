// Each catalogue is declared once, here: the config schemas build their zod enums from these lists,
// the types come from them, and tests check the docs name every entry.

/** Model server kinds laneguard can probe (`auto` detects one of the others). */
export const ENDPOINT_KINDS = ['openai', 'lmstudio', 'ollama', 'llamacpp', 'vllm', 'auto'] as const;
export type EndpointKind = (typeof ENDPOINT_KINDS)[number];
export type ConcreteKind = Exclude<EndpointKind, 'auto'>;

/** Where the lane list comes from: the orxaq files, or the fleet's status command. */
export const LANE_SOURCES = ['orxaq', 'command'] as const;
export type LaneSource = (typeof LANE_SOURCES)[number];

/** What an alert routed to the webhook asks for (its `laneguard_action` label). */
export const ALERT_ACTIONS = ['recover', 'recover_lane', 'restart_lane', 'ensure', 'none'] as const;
export type AlertAction = (typeof ALERT_ACTIONS)[number];
