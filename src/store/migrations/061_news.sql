-- News and sentiment (schema `news`): articles deduplicated by URL and by normalised title.
CREATE SCHEMA IF NOT EXISTS news;

CREATE TABLE news.articles (
  id               bigserial PRIMARY KEY,
  source           text NOT NULL,
  provider         text NOT NULL,
  url              text NOT NULL UNIQUE,
  title            text NOT NULL,
  -- lower-case words of the title without punctuation and the " - Publisher" suffix: near-identical titles
  -- (the same wire story on two sites) share it and are stored once.
  title_key        text NOT NULL,
  description      text,
  author           text,
  published_at     timestamptz NOT NULL,
  language         text,
  ingested_at      timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX articles_published_idx ON news.articles (published_at DESC);
CREATE INDEX articles_title_key_idx ON news.articles (title_key);

-- Sentiment of an article about an instrument, per provider ('alphavantage', or 'lexicon' = our own score).
CREATE TABLE news.sentiment (
  article_id    bigint NOT NULL REFERENCES news.articles (id) ON DELETE CASCADE,
  instrument_id integer NOT NULL REFERENCES market_data.instruments (id) ON DELETE CASCADE,
  provider      text NOT NULL,
  score         float8 NOT NULL CHECK (score BETWEEN -1 AND 1),
  label         text NOT NULL,
  relevance     float8 CHECK (relevance BETWEEN 0 AND 1),
  PRIMARY KEY (article_id, instrument_id, provider)
);
CREATE INDEX sentiment_instrument_idx ON news.sentiment (instrument_id);
