# The original operator targets, mapped to laneguard commands.
#   make local-idle-guard-once ROOT=/srv/fleet
#   make local-model-watchdog-status LANEGUARD=laneguard
# ROOT is the fleet root (config/, artifacts/ live under it); LANEGUARD is how laneguard is run
# (the default needs `npm run build` first).
ROOT ?= .
LANEGUARD ?= node dist/main.js
LG = $(LANEGUARD) --root "$(ROOT)"

.PHONY: local-idle-guard-once local-idle-guard-start local-idle-guard-stop local-idle-guard-status \
	local-model-watchdog-once local-model-watchdog-start local-model-watchdog-stop local-model-watchdog-status

# Guard: one cycle now; the serve daemon in the background.
local-idle-guard-once:
	$(LG) once

local-idle-guard-start:
	$(LG) start

local-idle-guard-stop:
	$(LG) stop

local-idle-guard-status:
	$(LG) status

# Process watchdog: one check (exit 1 while a process is down, hung, in backoff or given up);
# `watchdog run` in the background.
local-model-watchdog-once:
	$(LG) watchdog once

local-model-watchdog-start:
	$(LG) watchdog start

local-model-watchdog-stop:
	$(LG) watchdog stop

local-model-watchdog-status:
	$(LG) watchdog status
