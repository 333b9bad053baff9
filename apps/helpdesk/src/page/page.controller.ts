import { Controller, Get, Header, Query } from '@nestjs/common';
import { COMPOSER_SCRIPT } from './composer-script';
import { connectBanner } from './connect-banner';
import { MESSAGE_BODY_SCRIPT } from './message-body-script';
import { MESSAGE_BODY_STYLE } from './message-body-style';
import { PAGE_SCRIPT } from './page-script';
import { PAGE_STYLE } from './page-style';
import { renderPage } from './page.html';
import { VIEWS_SCRIPT } from './views-script';

/**
 * Scripts and styles only from this origin, nothing inline: even if some content escaped its
 * escaping, the browser would refuse to run it. Images may come from TikTok's CDN.
 */
const CONTENT_SECURITY_POLICY = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "connect-src 'self'",
  "img-src 'self' data: http: https:",
  // Customers' videos, served by the helpdesk itself.
  "media-src 'self'",
  "form-action 'self'",
  "base-uri 'none'",
  "frame-ancestors 'none'",
].join('; ');

@Controller()
export class PageController {
  @Get()
  @Header('Content-Type', 'text/html; charset=utf-8')
  @Header('Content-Security-Policy', CONTENT_SECURITY_POLICY)
  @Header('X-Content-Type-Options', 'nosniff')
  @Header('Referrer-Policy', 'same-origin')
  @Header('Cache-Control', 'no-store')
  page(@Query('tiktok_status') status: unknown, @Query('tiktok_reason') reason: unknown): string {
    return renderPage(connectBanner(status, reason));
  }

  @Get('assets/helpdesk.js')
  @Header('Content-Type', 'text/javascript; charset=utf-8')
  @Header('X-Content-Type-Options', 'nosniff')
  @Header('Cache-Control', 'no-cache')
  script(): string {
    return PAGE_SCRIPT;
  }

  @Get('assets/composer.js')
  @Header('Content-Type', 'text/javascript; charset=utf-8')
  @Header('X-Content-Type-Options', 'nosniff')
  @Header('Cache-Control', 'no-cache')
  composer(): string {
    return COMPOSER_SCRIPT;
  }

  @Get('assets/message-body.js')
  @Header('Content-Type', 'text/javascript; charset=utf-8')
  @Header('X-Content-Type-Options', 'nosniff')
  @Header('Cache-Control', 'no-cache')
  messageBody(): string {
    return MESSAGE_BODY_SCRIPT;
  }

  @Get('assets/views.js')
  @Header('Content-Type', 'text/javascript; charset=utf-8')
  @Header('X-Content-Type-Options', 'nosniff')
  @Header('Cache-Control', 'no-cache')
  views(): string {
    return VIEWS_SCRIPT;
  }

  @Get('assets/helpdesk.css')
  @Header('Content-Type', 'text/css; charset=utf-8')
  @Header('X-Content-Type-Options', 'nosniff')
  @Header('Cache-Control', 'no-cache')
  style(): string {
    return PAGE_STYLE + MESSAGE_BODY_STYLE;
  }
}
