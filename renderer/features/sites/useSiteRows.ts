import { useCallback, useEffect, useRef, useState } from 'react';
import type { Site, SiteSortKey } from '../../../shared/domain/site.js';
import { useApi, useLiveEvents } from '../../api/context.js';

export const BLOCK_SIZE = 100;

export interface SiteQuery {
  q: string;
  regionId: number | undefined;
  sort: SiteSortKey;
  order: 'asc' | 'desc';
}

export interface SiteRows {
  /** Sites matching the query; null until the first page arrives. */
  total: number | null;
  row(index: number): Site | undefined;
  /** Asks for the rows in [start, end] to be loaded. */
  ensure(start: number, end: number): void;
  error: string | null;
}

/**
 * Rows of the site list loaded block by block as they scroll into view, so
 * 50,000 sites cost only the blocks on screen. A change event refetches the
 * visible blocks while the old rows stay on screen.
 */
export function useSiteRows(query: SiteQuery): SiteRows {
  const { client } = useApi();
  const blocks = useRef(new Map<number, Site[]>());
  const loading = useRef(new Set<number>());
  const generation = useRef(0);
  const visible = useRef<[number, number]>([0, BLOCK_SIZE]);
  const [total, setTotal] = useState<number | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [, setVersion] = useState(0);

  const loadBlock = useCallback(
    (block: number, force = false) => {
      if (loading.current.has(block) || (!force && blocks.current.has(block))) return;
      loading.current.add(block);
      const started = generation.current;
      client.sites
        .list({
          limit: BLOCK_SIZE,
          offset: block * BLOCK_SIZE,
          q: query.q || undefined,
          regionId: query.regionId,
          sort: query.sort,
          order: query.order,
        })
        .then((page) => {
          if (started !== generation.current) return;
          blocks.current.set(block, page.items);
          setTotal(page.total);
          setError(null);
          setVersion((version) => version + 1);
        })
        .catch((cause: unknown) => {
          if (started === generation.current) setError(cause instanceof Error ? cause.message : String(cause));
        })
        .finally(() => loading.current.delete(block));
    },
    [client, query.q, query.regionId, query.sort, query.order],
  );

  const refetchVisible = useCallback(
    (keepRows: boolean) => {
      generation.current += 1;
      loading.current.clear();
      if (!keepRows) {
        blocks.current.clear();
        setTotal(null);
      }
      const [start, end] = visible.current;
      for (let block = Math.floor(start / BLOCK_SIZE); block <= Math.floor(end / BLOCK_SIZE); block += 1) loadBlock(block, true);
      if (keepRows) {
        // Blocks off screen are dropped; they reload when scrolled to.
        for (const block of [...blocks.current.keys()]) {
          if (block < Math.floor(start / BLOCK_SIZE) || block > Math.floor(end / BLOCK_SIZE)) blocks.current.delete(block);
        }
      }
    },
    [loadBlock],
  );

  useEffect(() => {
    visible.current = [0, BLOCK_SIZE];
    refetchVisible(false);
  }, [refetchVisible]);

  useLiveEvents((event) => {
    if (event.type === 'site.changed' || event.type === 'connection.restored') refetchVisible(true);
  });

  const ensure = useCallback(
    (start: number, end: number) => {
      visible.current = [start, end];
      for (let block = Math.floor(start / BLOCK_SIZE); block <= Math.floor(end / BLOCK_SIZE); block += 1) loadBlock(block);
    },
    [loadBlock],
  );

  return {
    total,
    error,
    ensure,
    row: (index) => blocks.current.get(Math.floor(index / BLOCK_SIZE))?.[index % BLOCK_SIZE],
  };
}
