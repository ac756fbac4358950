import type { RouteModule } from '../http/app.js';
import { receiverRoutes } from '../receiver/route.js';
import type { Job } from '../serve/scheduler.js';
import type { GuardService } from '../serve/service.js';

/** Routes and scheduled jobs that other parts add to `serve` (receiver, capability scan, watchdog). */
export function serveExtras(_root: string): { routes: RouteModule[]; jobs: (service: GuardService) => Job[] } {
  return { routes: [receiverRoutes], jobs: () => [] };
}
