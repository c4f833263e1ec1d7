package io.tandem.config;

/**
 * The body Tandem sends instead of its plain one for an answer it makes itself (502, 503, 504, 429, 403, ...), read
 * from a file when the configuration is loaded (YAML {@code error-pages: {503: pages/503.html}}).
 *
 * @param body        the file's text (UTF-8)
 * @param contentType from the file name's extension ({@code .html}, {@code .json}, ...) or given
 * @param file        the file, for the admin API and logs
 */
public record ErrorPage(String body, String contentType, String file) {}
