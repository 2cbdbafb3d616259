package io.polysync.bootstrap;

import io.helidon.http.HeaderNames;
import io.helidon.http.Method;
import io.helidon.webserver.http.Handler;
import io.helidon.webserver.http.HttpRouting;
import io.polysync.protocol.spi.ErrorDocs;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.commonmark.ext.gfm.tables.TablesExtension;
import org.commonmark.node.AbstractVisitor;
import org.commonmark.node.Link;
import org.commonmark.node.Node;
import org.commonmark.parser.Parser;
import org.commonmark.renderer.html.HtmlRenderer;

/**
 * The error-code page at {@link ErrorDocs#PATH}: docs/errors.md (packaged with the server at
 * build time) rendered to HTML once, with an anchor per error, so the links front-ends put in
 * their error answers resolve on the server that sent them. Links to other documentation pages
 * become plain text, since the server does not serve those.
 */
final class ErrorsPage {
  private static final String SOURCE = "docs/errors.md";

  private final byte[] html;

  private ErrorsPage(byte[] html) {
    this.html = html;
  }

  /** Renders the packaged page. */
  static ErrorsPage load() {
    String markdown;
    try (InputStream in = ErrorsPage.class.getResourceAsStream(SOURCE)) {
      if (in == null) {
        throw new IllegalStateException("the error-code page is not packaged with the server (" + SOURCE + ")");
      }
      markdown = new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return new ErrorsPage(render(markdown).getBytes(StandardCharsets.UTF_8));
  }

  static String render(String markdown) {
    var extensions = List.of(TablesExtension.create());
    Node document = Parser.builder().extensions(extensions).build().parse(markdown);
    unlinkOtherPages(document);
    String body = HtmlRenderer.builder().extensions(extensions).build().render(document);
    return """
        <!DOCTYPE html>
        <html lang="en"><head><meta charset="utf-8">
        <meta name="viewport" content="width=device-width, initial-scale=1">
        <title>Polysync error codes</title>
        <style>body{font-family:system-ui,sans-serif;max-width:50rem;margin:2rem auto;padding:0 1rem;line-height:1.5}
        code{background:#f3f3f3;padding:0 .2em}h3{margin-top:2rem}:target+h3{background:#fff3c4}</style>
        </head><body>
        """ + body + "</body></html>\n";
  }

  /** Replaces each link to another page of the docs (relative, not a fragment) with its text. */
  private static void unlinkOtherPages(Node document) {
    List<Link> relative = new ArrayList<>();
    document.accept(new AbstractVisitor() {
      @Override
      public void visit(Link link) {
        String target = link.getDestination();
        if (!target.startsWith("#") && !URI.create(target.replace(" ", "%20")).isAbsolute()) {
          relative.add(link);
        }
        visitChildren(link);
      }
    });
    for (Link link : relative) {
      Node child = link.getFirstChild();
      while (child != null) {
        Node next = child.getNext();
        link.insertBefore(child);
        child = next;
      }
      link.unlink();
    }
  }

  byte[] html() {
    return html.clone();
  }

  void mount(HttpRouting.Builder routing) {
    Handler page = (req, res) -> {
      res.header(HeaderNames.CONTENT_TYPE, "text/html; charset=utf-8");
      res.header(HeaderNames.CACHE_CONTROL, "public, max-age=3600");
      res.header("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'");
      res.header("X-Content-Type-Options", "nosniff");
      res.send(html);
    };
    routing.route(Method.GET, ErrorDocs.PATH, page);
    routing.route(Method.HEAD, ErrorDocs.PATH, page);
  }
}
