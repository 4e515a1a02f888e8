// File names in a File stream's folder: `<19-digit first sequence number>.log` for a segment, `.idx` beside it for
// its sparse index once sealed, `.damaged` for a segment set aside.
const SEGMENT_EXTENSION = '.log';
const INDEX_EXTENSION = '.idx';
export const SET_ASIDE_EXTENSION = '.damaged';

export function segmentFileName(baseSequenceNumber: number): string {
  return `${String(baseSequenceNumber).padStart(19, '0')}${SEGMENT_EXTENSION}`;
}

export function indexFileName(baseSequenceNumber: number): string {
  return `${String(baseSequenceNumber).padStart(19, '0')}${INDEX_EXTENSION}`;
}

export function parseSegmentFileName(name: string): number | undefined {
  const match = /^(\d{19})\.log$/.exec(name);
  return match ? Number(match[1]) : undefined;
}
