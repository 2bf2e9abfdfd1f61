/**
 * Events: creating one with its categories, performances and their inventory (one row per seat of
 * a seated category, one quota row per general-admission category), bringing it in line with the
 * organizer's file (upsert by slug), adding a performance, publishing, and who may see it. Seed
 * 001's issuer answers "is it available?" from this inventory (availability/); holds change its
 * status. The plan (plan.ts) decides what an input means and what may change; this reads the
 * venue and what is stored, and writes.
 */
import { isUniqueViolation } from '@tessera/db';
import { ApiError, badRequest, conflict, notFound } from '@tessera/service-kit/errors';
import { inTransaction, type Ticketing, type Trx } from '../context.ts';
import type { EventsTable } from '../db/schema.ts';
import type { Principal } from '../identity/service.ts';
import { newId, newPerformanceCode } from '../ids.ts';
import { isStaffOf, optionalCaller, requireStaff, requireStaffFor } from '../organizers/staff.ts';
import { loadLayout } from '../venues/service.ts';
import {
  type AssetBook,
  type CategoryChanges,
  categoryChanges,
  checkCatalogue,
  checkLimits,
  checkTerms,
  type EventInput,
  type PerformanceInput,
  type PerformancePlan,
  performanceChanges,
  planCategory,
  planPerformance,
  type StoredCategory,
} from './plan.ts';
import {
  deleteCategorySeatsAndInventory,
  eventById,
  eventUsage,
  hasCategory,
  hasScheduledPerformance,
  insertCategories,
  insertCategorySeats,
  insertEvent,
  insertInventory,
  insertPerformanceWithCode,
  lockEvent,
  lockEventBySlug,
  performanceById,
  performanceStartsAt,
  setEventStatus,
  setQuotaCapacity,
  storedCategories,
  storedPerformances,
  updateCategory,
  updateEventFields,
  updatePerformanceWindows,
  walletLinked,
} from './repository.ts';

/** How many decimals an exchange asset has (amounts are stored in its smallest unit). */
export async function scaleOf(ticketing: Ticketing, code: string) {
  return (await ticketing.exchange.asset(code)).scale;
}

// ---------------------------------------------------------------------------------------------
// Who may see an event

export async function eventRow(ticketing: Ticketing, eventId: string) {
  return eventById(ticketing.database.db, eventId);
}

/**
 * A published event is public; a draft (or cancelled one) only to its organizer's staff. To
 * anyone else it does not exist.
 */
export async function visibleEvent(
  ticketing: Ticketing,
  principal: Principal | undefined,
  eventId: string,
) {
  const event = await eventRow(ticketing, eventId);
  if (!event) throw notFound('event');
  if (
    event.status !== 'published' &&
    !(await isStaffOf(ticketing, principal, event.organizer_id))
  ) {
    throw notFound('event');
  }
  return event;
}

/** The event of a performance, if the caller may see it; otherwise the performance is not found. */
export async function visiblePerformanceEvent(
  ticketing: Ticketing,
  principal: Principal | undefined,
  eventId: string,
) {
  try {
    return await visibleEvent(ticketing, principal, eventId);
  } catch (error) {
    if (error instanceof ApiError && error.status === 404) throw notFound('performance');
    throw error;
  }
}

/**
 * A performance and its event, if the caller may see the event. The caller (from the token, when
 * one came) is only asked for once the performance is found: an unknown one is 404 whatever the
 * token.
 */
export async function visiblePerformance(
  ticketing: Ticketing,
  authorization: string | undefined,
  performanceId: string,
) {
  const performance = await performanceById(ticketing.database.db, performanceId);
  if (!performance) throw notFound('performance');
  const caller = await optionalCaller(ticketing, authorization);
  const event = await visiblePerformanceEvent(ticketing, caller, performance.event_id);
  return { performance, event };
}

/** The event, if the caller may change it (manage_catalogue at its organizer). */
async function staffEvent(ticketing: Ticketing, principal: Principal | undefined, eventId: string) {
  const event = await eventRow(ticketing, eventId);
  if (!event) throw notFound('event');
  await requireStaffFor(ticketing, principal, event.organizer_id, 'event');
  return event;
}

// ---------------------------------------------------------------------------------------------
// What the routes ask for

/** A concurrent create of the same slug loses on the unique index: same answer as a taken slug. */
function slugRace(slug: string) {
  return (error: unknown): never => {
    if (isUniqueViolation(error, 'events_slug') || isUniqueViolation(error, 'slug')) {
      throw conflict('slug_taken', `an event with slug "${slug}" exists`);
    }
    throw error;
  };
}

/** Creates a draft event for the organizer's staff (manage_catalogue): its row once stored. */
export async function createEventFor(
  ticketing: Ticketing,
  principal: Principal | undefined,
  organizerId: string,
  input: EventInput,
): Promise<EventsTable> {
  await requireStaff(ticketing, principal, organizerId, 'manage_catalogue');
  const assets = await ticketing.exchange.assets();
  const eventId = await inTransaction(ticketing, ({ trx, now }) =>
    createEvent(ticketing, trx, organizerId, input, assets, now),
  ).catch(slugRace(input.slug));
  const event = await eventRow(ticketing, eventId);
  if (!event) throw notFound('event');
  return event;
}

/**
 * Creates or updates the event of this slug from the organizer's file (manage_catalogue): its
 * row once stored, and whether it was created.
 */
export async function putEventBySlug(
  ticketing: Ticketing,
  principal: Principal | undefined,
  organizerId: string,
  slug: string,
  input: Omit<EventInput, 'slug'> & { slug?: string },
): Promise<{ event: EventsTable; created: boolean }> {
  await requireStaff(ticketing, principal, organizerId, 'manage_catalogue');
  if (input.slug !== undefined && input.slug !== slug) {
    throw badRequest('slug_mismatch', 'the slug in the body differs from the one in the path');
  }
  const assets = await ticketing.exchange.assets();
  const result = await inTransaction(ticketing, ({ trx, now }) =>
    upsertEvent(ticketing, trx, organizerId, { ...input, slug }, assets, now),
  ).catch(slugRace(slug));
  const event = await eventRow(ticketing, result.eventId);
  if (!event) throw notFound('event');
  return { event, created: result.created };
}

/**
 * Publishes the event (or takes it back to draft) for its staff (manage_catalogue): its row as
 * it is afterwards.
 */
export async function setPublished(
  ticketing: Ticketing,
  principal: Principal | undefined,
  eventId: string,
  published: boolean,
): Promise<EventsTable> {
  const event = await staffEvent(ticketing, principal, eventId);
  await inTransaction(ticketing, ({ trx, now }) =>
    published
      ? publishEvent(ticketing, trx, event.id, now)
      : unpublishEvent(ticketing, trx, event.id, now),
  );
  return { ...event, ...(await eventRow(ticketing, event.id)) };
}

/**
 * Adds a performance for the event's staff (manage_catalogue): the new performance, and the
 * event as it was read before (its status says whether the performance is on sale).
 */
export async function addPerformanceFor(
  ticketing: Ticketing,
  principal: Principal | undefined,
  eventId: string,
  input: PerformanceInput,
) {
  const event = await staffEvent(ticketing, principal, eventId);
  const performanceId = await inTransaction(ticketing, ({ trx, now }) =>
    addPerformance(ticketing, trx, event.id, input, now),
  );
  const performance = await performanceById(ticketing.database.db, performanceId);
  if (!performance) throw new Error(`performance ${performanceId} vanished after its insert`);
  return { performance, event };
}

// ---------------------------------------------------------------------------------------------
// Changes, each in the caller's transaction

/**
 * A performance with a fresh short code (claim 8's event ID). A taken code inserts nothing and
 * another is drawn.
 */
async function insertPerformance(
  trx: Trx,
  eventId: string,
  plan: PerformancePlan,
  now: number,
): Promise<string> {
  const id = newId('perf');
  for (let attempt = 0; attempt < 8; attempt++) {
    const code = newPerformanceCode();
    if (await insertPerformanceWithCode(trx, { id, eventId, code, plan, now })) return id;
  }
  throw new Error('no free performance code after 8 draws');
}

/** Creates a draft event with its categories, performances and their inventory. */
export async function createEvent(
  ticketing: Ticketing,
  trx: Trx,
  organizerId: string,
  input: EventInput,
  assets: AssetBook,
  now: number,
): Promise<string> {
  checkLimits(input);
  const layout = await loadLayout(ticketing, trx, organizerId, input.venueId);
  if (await lockEventBySlug(trx, ticketing.database.dialect, organizerId, input.slug)) {
    throw conflict(
      'slug_taken',
      `an event with slug "${input.slug}" exists; PUT by slug updates it`,
    );
  }
  const categories = (input.categories ?? []).map((category, index) =>
    planCategory(category, index, layout, assets),
  );
  const performances = (input.performances ?? []).map((performance) =>
    planPerformance(performance, { salesStart: now }),
  );
  checkCatalogue(categories, performances, layout, now);

  const eventId = newId('ev');
  await insertEvent(trx, {
    id: eventId,
    organizer_id: organizerId,
    venue_id: input.venueId,
    slug: input.slug,
    name: input.name.trim(),
    description: input.description ?? '',
    status: 'draft',
    per_order_limit: input.perOrderLimit ?? 10,
    per_buyer_limit: input.perBuyerLimit ?? 20,
    refund_policy: input.refundPolicy ?? 'none',
    refund_cutoff_s: input.refundCutoffS ?? 86_400,
    created_at: now,
    updated_at: now,
  });
  const stored: StoredCategory[] = categories.map((plan) => ({ id: newId('cat'), plan }));
  await insertCategories(trx, eventId, stored);
  for (const category of stored) await insertCategorySeats(trx, eventId, category);
  for (const performance of performances) {
    const performanceId = await insertPerformance(trx, eventId, performance, now);
    await insertInventory(trx, eventId, performanceId, stored);
  }
  return eventId;
}

async function applyCategoryChanges(
  trx: Trx,
  eventId: string,
  changes: CategoryChanges,
  performanceIds: readonly string[],
) {
  // Changed categories give their seats back first, so seats may move between categories.
  for (const category of changes.changed) {
    await deleteCategorySeatsAndInventory(trx, category.id);
  }
  for (const category of [...changes.changed, ...changes.updated]) {
    await updateCategory(trx, eventId, category);
  }
  for (const category of changes.updated) {
    if (category.plan.quota === null) continue;
    await setQuotaCapacity(trx, category.id, category.plan.quota);
  }
  await insertCategories(trx, eventId, changes.added);
  const fresh = [...changes.changed, ...changes.added];
  for (const category of fresh) await insertCategorySeats(trx, eventId, category);
  for (const performanceId of performanceIds) {
    await insertInventory(trx, eventId, performanceId, fresh);
  }
}

/**
 * Creates the event or brings it in line with the input (the organizer's file): event fields,
 * categories matched by name, performances matched by start. Nothing is ever deleted; what has
 * been held or sold keeps its seats, area, terms and admission window (409 otherwise).
 */
async function upsertEvent(
  ticketing: Ticketing,
  trx: Trx,
  organizerId: string,
  input: EventInput,
  assets: AssetBook,
  now: number,
): Promise<{ eventId: string; created: boolean }> {
  const existing = await lockEventBySlug(trx, ticketing.database.dialect, organizerId, input.slug);
  if (!existing) {
    return {
      eventId: await createEvent(ticketing, trx, organizerId, input, assets, now),
      created: true,
    };
  }
  checkLimits(input);
  if (existing.status === 'cancelled') {
    throw conflict('event_cancelled', 'this event is cancelled; it cannot change');
  }
  if (existing.venue_id !== input.venueId) {
    throw conflict('venue_change', 'an event keeps its venue; make a new event for another venue');
  }
  await updateEvent(ticketing, trx, existing, input, assets, now);
  return { eventId: existing.id, created: false };
}

/** The existing event brought in line with the input: upsertEvent's update. */
async function updateEvent(
  ticketing: Ticketing,
  trx: Trx,
  existing: EventsTable,
  input: EventInput,
  assets: AssetBook,
  now: number,
) {
  const eventId = existing.id;
  const layout = await loadLayout(ticketing, trx, existing.organizer_id, input.venueId);
  const performancesBefore = await storedPerformances(trx, eventId);
  const used = await eventUsage(trx, eventId);
  const wanted = (input.categories ?? []).map((category, index) =>
    planCategory(category, index, layout, assets),
  );
  const categories = categoryChanges(wanted, await storedCategories(trx, eventId), used);
  const performances = performanceChanges(input.performances ?? [], performancesBefore, used, now);
  checkCatalogue(
    [...wanted, ...categories.kept.map((category) => category.plan)],
    performances.all,
    layout,
    now,
  );

  await updateEventFields(trx, eventId, {
    name: input.name.trim(),
    description: input.description ?? '',
    per_order_limit: input.perOrderLimit ?? 10,
    per_buyer_limit: input.perBuyerLimit ?? 20,
    refund_policy: input.refundPolicy ?? 'none',
    refund_cutoff_s: input.refundCutoffS ?? 86_400,
    updated_at: now,
  });
  await applyCategoryChanges(
    trx,
    eventId,
    categories,
    performancesBefore.map((performance) => performance.id),
  );
  for (const performance of performances.updated) {
    await updatePerformanceWindows(trx, performance);
  }
  const everyCategory = [
    ...categories.changed,
    ...categories.updated,
    ...categories.added,
    ...categories.kept,
  ];
  for (const plan of performances.fresh) {
    const performanceId = await insertPerformance(trx, eventId, plan, now);
    await insertInventory(trx, eventId, performanceId, everyCategory);
  }
}

/** Adds one performance to an event, with inventory for every category (the demo's too). */
export async function addPerformance(
  ticketing: Ticketing,
  trx: Trx,
  eventId: string,
  input: PerformanceInput,
  now: number,
): Promise<string> {
  const event = await lockedEvent(ticketing, trx, eventId);
  if (event.status === 'cancelled') {
    throw conflict('event_cancelled', 'this event is cancelled; it cannot change');
  }
  const plan = planPerformance(input, { salesStart: now });
  if (await performanceStartsAt(trx, event.id, plan.startsAt)) {
    throw conflict('duplicate_performance', `a performance already starts at ${input.startsAt}`);
  }
  const categories = await storedCategories(trx, event.id);
  for (const category of categories) checkTerms(category.plan, plan);
  const performanceId = await insertPerformance(trx, event.id, plan, now);
  await insertInventory(trx, event.id, performanceId, categories);
  return performanceId;
}

async function lockedEvent(ticketing: Ticketing, trx: Trx, eventId: string) {
  const event = await lockEvent(trx, ticketing.database.dialect, eventId);
  if (!event) throw notFound('event');
  return event;
}

/**
 * Publishing puts the event on sale. It needs something to sell (a category and a scheduled
 * performance) and somewhere for the money to go (S100: a linked merchant wallet).
 */
export async function publishEvent(ticketing: Ticketing, trx: Trx, eventId: string, now: number) {
  const event = await lockedEvent(ticketing, trx, eventId);
  if (event.status === 'cancelled') throw conflict('event_cancelled', 'this event is cancelled');
  if (!(await walletLinked(trx, event.organizer_id))) {
    throw conflict(
      'wallet_not_linked',
      "link the organizer's merchant wallet at the exchange before publishing",
    );
  }
  if (!(await hasCategory(trx, event.id))) {
    throw conflict('no_categories', 'add a ticket category before publishing');
  }
  if (!(await hasScheduledPerformance(trx, event.id))) {
    throw conflict('no_performances', 'add a performance before publishing');
  }
  await setEventStatus(trx, event.id, 'published', now);
}

/** Back to draft: hidden from buyers and not on sale; tickets already sold stay valid. */
async function unpublishEvent(ticketing: Ticketing, trx: Trx, eventId: string, now: number) {
  const event = await lockedEvent(ticketing, trx, eventId);
  if (event.status === 'cancelled') throw conflict('event_cancelled', 'this event is cancelled');
  await setEventStatus(trx, event.id, 'draft', now);
}
