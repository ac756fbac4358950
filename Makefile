# The original operator targets, mapped to laneguard commands.
#   make local-idle-guard-once ROOT=/srv/fleet
#   cd /srv/fleet && make -f /path/to/laneguard/Makefile local-idle-guard-status
#   make local-model-watchdog-status LANEGUARD=laneguard
# ROOT is the fleet root (config/, artifacts/ live under it; default: where make runs). LANEGUARD is
# how laneguard is run: the `laneguard` on PATH when there is one (npm link, a global install), else
# this checkout's dist/main.js (after `npm ci`), wherever make is run from.
ROOT ?= .
LANEGUARD_HOME := $(dir $(abspath $(lastword $(MAKEFILE_LIST))))
ifeq ($(origin LANEGUARD),undefined)
LANEGUARD := $(if $(shell command -v laneguard 2>/dev/null),laneguard,node "$(LANEGUARD_HOME)dist/main.js")
endif
LG = $(LANEGUARD) --root "$(ROOT)"

.PHONY: local-idle-guard-once local-idle-guard-start local-idle-guard-stop local-idle-guard-status \
	local-model-watchdog-once local-model-watchdog-start local-model-watchdog-stop local-model-watchdog-status

# Guard: one cycle now (its report as JSON, as the target it replaces printed); serve in the background.
local-idle-guard-once:
	$(LG) once --json

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
