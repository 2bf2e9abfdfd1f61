/**
 * Every migration of the ticketing database, one file each, applied in name order at start.
 * A migration that has landed on main is history: never edit it (test/migrations.test.ts pins
 * each file's checksum); add a new file, named with the next number, and list it here.
 */
import type { MigrationSet } from '@tessera/db';
import initial from './0001_initial.ts';
import gates from './0002_gates.ts';
import doorSales from './0003_door_sales.ts';
import admissionSlots from './0004_admission_slots.ts';
import repairRevokedRevision from './0005_repair_revoked_revision.ts';
import rateLimits from './0006_rate_limits.ts';
import holdLimits from './0007_hold_limits.ts';
import venueTimeZone from './0008_venue_time_zone.ts';
import terminalDetails from './0009_terminal_details.ts';
import doorSaleSettings from './0010_door_sale_settings.ts';
import gateDecisionsByPerformance from './0011_gate_decisions_by_performance.ts';

export const ticketingMigrations: MigrationSet = (dialect) => ({
  '0001_initial': initial(dialect),
  '0002_gates': gates(dialect),
  '0003_door_sales': doorSales(dialect),
  '0004_admission_slots': admissionSlots(dialect),
  '0005_repair_revoked_revision': repairRevokedRevision(dialect),
  '0006_rate_limits': rateLimits(dialect),
  '0007_hold_limits': holdLimits(dialect),
  '0008_venue_time_zone': venueTimeZone(dialect),
  '0009_terminal_details': terminalDetails(dialect),
  '0010_door_sale_settings': doorSaleSettings(dialect),
  '0011_gate_decisions_by_performance': gateDecisionsByPerformance(dialect),
});
