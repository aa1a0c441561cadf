/** A feature's Vietnamese words with every sentence widened to string: the shape its English must have. */
export type Widen<T> = { [K in keyof T]: T[K] extends string ? string : Widen<T[K]> };
