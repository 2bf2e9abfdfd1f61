/**
 * A venue's seat map (`/venues/:venueId/seat-map`): the visual editor for roles that manage the
 * catalogue, read-only for the others and for a venue an event already uses (the server refuses
 * to change that map: 409 seat_map_in_use). The map the server holds opens as "imported seats"
 * blocks; new blocks are drawn from their fields; saving sends the server's JSON.
 */
import { ApiError } from '@tessera/web-kit/http';
import { type Dispatch, type MouseEvent, useCallback, useMemo, useReducer, useState } from 'react';
import { Link, useParams } from 'wouter';
import { useI18n } from '../i18n.ts';
import { useOrganizer } from '../session.tsx';
import { FormFailure, Notice } from '../ui/form.tsx';
import { Loaded, Page } from '../ui/page.tsx';
import { SeatMapView } from '../ui/seat-map.tsx';
import {
  type StoredSeatMap,
  useEventsAtVenue,
  useImportSeatMap,
  useSeatMap,
  useVenue,
  type Venue,
} from './api.ts';
import { AreasForm } from './areas-form.tsx';
import { BlockForm } from './block-form.tsx';
import { useBlockDrag } from './drag.ts';
import {
  type EditorAction,
  type EditorState,
  editorReducer,
  initialState,
} from './editor-state.ts';
import { colourOfSections, drawAreas, drawRowLabels, drawSeats, legendOf } from './map-drawing.ts';
import { type EditorSeat, fromSeatMapJson, mapProblem, toSeatMapJson } from './seat-model.ts';
import { SeatMapExport, SeatMapImport } from './transfer.tsx';
import { counted, describeProblem, savedSummary } from './words-of-map.ts';

export default function SeatMapScreen() {
  const { t } = useI18n();
  const { venueId } = useParams<{ venueId: string }>();
  const organizer = useOrganizer();
  const venue = useVenue(venueId);
  const stored = useSeatMap(venueId);
  const events = useEventsAtVenue(organizer.id, venueId);
  return (
    <Page
      title={venue.data ? t('venues.map.title', { name: venue.data.name }) : t('venues.seatMap')}
      actions={<Link href="/venues">{t('venues.backToList')}</Link>}
    >
      <Loaded query={venue}>
        {(venueData) => (
          <Loaded query={stored}>
            {(map) => (
              <Loaded query={events}>
                {(usedBy) => (
                  <SeatMapEditor
                    // Another venue's map is another drawing: the editor starts afresh.
                    key={venueData.id}
                    venue={venueData}
                    stored={map}
                    usedBy={usedBy.map((event) => event.name)}
                    editable={organizer.can('manage_catalogue')}
                  />
                )}
              </Loaded>
            )}
          </Loaded>
        )}
      </Loaded>
    </Page>
  );
}

function SeatMapEditor(props: {
  venue: Venue;
  stored: StoredSeatMap;
  usedBy: readonly string[];
  editable: boolean;
}) {
  const { t } = useI18n();
  const organizer = useOrganizer();
  const [state, dispatch] = useReducer(editorReducer, props.stored, (stored) => {
    const { blocks, areas } = fromSeatMapJson(stored);
    return initialState(blocks, areas);
  });
  // An event made after the page opened shows up as a 409 on saving: from then on, read-only.
  const [refusedInUse, setRefusedInUse] = useState(false);
  const inUse = props.usedBy.length > 0 || refusedInUse;
  const readOnly = !props.editable || inUse;
  const [problem, setProblem] = useState<string>();
  const save = useImportSeatMap(organizer.id, props.venue.id);

  const { seats, labels, areas, legend } = useMapDrawing(state);
  const currentMap = () => toSeatMapJson(state.blocks, state.areas);
  const drag = useBlockDrag(dispatch);
  const onSeatClick = (key: string, event: MouseEvent) =>
    drag.consumeDrag() ||
    dispatch({
      type: 'select',
      key,
      additive: event.shiftKey || event.ctrlKey || event.metaKey,
    });
  const submit = () => {
    const found = mapProblem(state.blocks, state.areas);
    setProblem(found ? describeProblem(found, t) : undefined);
    if (found) return;
    save.mutate(currentMap(), {
      onError: (error) => {
        if (error instanceof ApiError && error.code === 'seat_map_in_use') setRefusedInUse(true);
      },
    });
  };

  return (
    <div className={readOnly ? 'seat-editor read-only' : 'seat-editor editable'}>
      <div className="seat-editor-map">
        {inUse ? (
          <p className="notice info" role="status">
            {props.usedBy.length
              ? t('venues.map.inUseBy', { events: props.usedBy.join(', ') })
              : t('venues.map.inUse')}
          </p>
        ) : null}
        {!props.editable ? <p className="hint">{t('venues.map.viewOnly')}</p> : null}
        {seats.length === 0 && state.areas.length === 0 ? (
          <p className="hint">{readOnly ? t('venues.map.empty') : t('venues.map.startHint')}</p>
        ) : null}
        <SeatMapView
          label={t('venues.map.title', { name: props.venue.name })}
          seats={seats}
          labels={labels}
          areas={areas}
          legend={legend}
          {...(readOnly ? {} : { onSeatClick, onSeatPointerDown: drag.onSeatPointerDown })}
        />
        <p className="hint" aria-live="polite">
          {t('venues.map.counts', {
            seats: counted(t, 'seats', seats.length),
            areas: counted(t, 'areas', state.areas.length),
          })}
        </p>
        {readOnly ? null : <SelectionBar count={state.selected.size} dispatch={dispatch} />}
        {readOnly ? null : <SaveBar problem={problem} save={save} onSave={submit} />}
        <SeatMapExport venueName={props.venue.name} map={currentMap} />
      </div>
      {readOnly ? null : <EditorSide state={state} dispatch={dispatch} />}
    </div>
  );
}

/** The forms beside the map: blocks, standing areas, import. */
function EditorSide(props: { state: EditorState; dispatch: Dispatch<EditorAction> }) {
  const { t } = useI18n();
  const { state, dispatch } = props;
  const addBlock = () => {
    const used = new Set(state.blocks.map((block) => block.section));
    let index = used.size + 1;
    while (used.has(t('venues.block.defaultSection', { index }))) index += 1;
    dispatch({ type: 'addBlock', section: t('venues.block.defaultSection', { index }) });
  };
  return (
    <div className="seat-editor-side">
      <section aria-labelledby="blocks-title">
        <h2 id="blocks-title">{t('venues.block.title')}</h2>
        {state.blocks.map((block, index) => (
          <BlockForm key={block.id} block={block} index={index} dispatch={dispatch} />
        ))}
        <button type="button" onClick={addBlock}>
          {t('venues.block.add')}
        </button>
      </section>
      <AreasForm areas={state.areas} dispatch={dispatch} />
      <SeatMapImport
        onImport={(map) => {
          const imported = fromSeatMapJson(map);
          dispatch({ type: 'replace', blocks: imported.blocks, areas: imported.areas });
        }}
      />
    </div>
  );
}

/** What the shared view draws, each part recomputed only when what it depends on changed. */
function useMapDrawing(state: EditorState) {
  const { t, fmt } = useI18n();
  const colours = useMemo(() => colourOfSections(state.blocks), [state.blocks]);
  const seatLabel = useCallback(
    (seat: EditorSeat) =>
      t('venues.map.seatLabel', { section: seat.section, row: seat.row, number: seat.number }),
    [t],
  );
  const seats = useMemo(
    () => drawSeats(state.blocks, colours, state.selected, seatLabel),
    [state.blocks, colours, state.selected, seatLabel],
  );
  const labels = useMemo(() => drawRowLabels(state.blocks), [state.blocks]);
  const areas = useMemo(
    () =>
      drawAreas(seats, state.areas, (area) =>
        t('venues.map.areaLabel', { name: area.name, capacity: fmt.count(area.capacity) }),
      ),
    [seats, state.areas, t, fmt],
  );
  const legend = useMemo(
    () => legendOf(colours, state.areas.length ? t('venues.area.title') : undefined),
    [colours, state.areas.length, t],
  );
  return { seats, labels, areas, legend };
}

/** Saving: a problem found before sending, the server's refusal, or what was saved. */
function SaveBar(props: {
  problem: string | undefined;
  save: ReturnType<typeof useImportSeatMap>;
  onSave(): void;
}) {
  const { t } = useI18n();
  const { save } = props;
  return (
    <div className="save-bar">
      {props.problem ? (
        <p className="failure" role="alert">
          {props.problem}
        </p>
      ) : null}
      <FormFailure error={save.error} />
      {save.data && !save.isPending && !save.error ? (
        <Notice>{savedSummary(save.data, t)}</Notice>
      ) : null}
      <button type="button" className="primary" onClick={props.onSave} disabled={save.isPending}>
        {t('venues.map.save')}
      </button>
    </div>
  );
}

function SelectionBar(props: { count: number; dispatch: Dispatch<EditorAction> }) {
  const { t } = useI18n();
  const { count, dispatch } = props;
  return (
    <fieldset className="selection-bar">
      <legend>{t('venues.selection.label')}</legend>
      <span>{t('venues.selection.count', { seats: counted(t, 'seats', count) })}</span>
      <button
        type="button"
        disabled={count === 0}
        onClick={() => dispatch({ type: 'markAccessible', accessible: true })}
      >
        {t('venues.selection.accessible')}
      </button>
      <button
        type="button"
        disabled={count === 0}
        onClick={() => dispatch({ type: 'markAccessible', accessible: false })}
      >
        {t('venues.selection.notAccessible')}
      </button>
      <button
        type="button"
        className="danger"
        disabled={count === 0}
        onClick={() => dispatch({ type: 'deleteSelected' })}
      >
        {t('venues.selection.delete')}
      </button>
      <button
        type="button"
        disabled={count === 0}
        onClick={() => dispatch({ type: 'clearSelection' })}
      >
        {t('venues.selection.clear')}
      </button>
    </fieldset>
  );
}
