import type { ReactNode } from 'react';

/**
 * The caption and header row of a plain data table. The caption names the table for screen
 * readers (hidden unless `showCaption`); a column given as `{ hidden }` has a heading only
 * they read (e.g. the column of row actions).
 */
export function TableHead({ caption, columns, showCaption = false }: { caption: string; columns: (ReactNode | { hidden: string })[]; showCaption?: boolean }) {
  return (
    <>
      <caption className={showCaption ? undefined : 'visually-hidden'}>{caption}</caption>
      <thead>
        <tr>
          {columns.map((column, index) => (
            <th scope="col" key={index}>
              {column !== null && typeof column === 'object' && 'hidden' in column ? <span className="visually-hidden">{column.hidden}</span> : column}
            </th>
          ))}
        </tr>
      </thead>
    </>
  );
}

/** The one row of a table with nothing to show. */
export function EmptyRow({ columns, text }: { columns: number; text: string }) {
  return (
    <tr>
      <td colSpan={columns} className="empty">
        {text}
      </td>
    </tr>
  );
}
